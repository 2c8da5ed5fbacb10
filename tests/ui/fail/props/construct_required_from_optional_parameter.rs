// A construct's required parameter cannot come from an optional stack parameter.
use tap_macros::{construct, stack};

construct! {
    Alerts(label: Str) -> topic {
        topic = sns::Topic { display_name: label };
    }
}

stack! {
    stack Demo(label: Option<Str>) {
        alerts = Alerts { label: label };
    }
}

fn main() {}
