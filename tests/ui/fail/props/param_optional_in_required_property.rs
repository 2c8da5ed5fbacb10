// An optional parameter with no default cannot set a required property: when it
// is not given, the property would be left out.
use tap_macros::stack;

stack! {
    stack Demo(label: Option<Str>) {
        topic = sns::Topic { display_name: label };
        output Label { value: label }
    }
}

fn main() {}
