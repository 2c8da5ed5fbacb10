use tap_macros::stack;

stack! {
    stack Demo {
        sealed = sqs::Queue { encryption: KmsManaged };
        alerts = sns::Topic {
            subscriptions: [
                email { address: "ops.example.com" },
                https { url: "http://hooks.example.com/alerts" },
                sqs { queue: sealed },
                sqs { queue: sealed, filter: { kind: "order" } },
                email { address: "ops@example.com", filter_body: true },
            ],
        };
    }
}

fn main() {}
