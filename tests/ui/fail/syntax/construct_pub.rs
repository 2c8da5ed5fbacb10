use tap_macros::construct;

construct! {
    pub Worker() -> queue {
        queue = sqs::Queue {};
    }
}

fn main() {}
