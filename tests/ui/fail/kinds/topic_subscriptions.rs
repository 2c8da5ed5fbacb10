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
                https { url: "https://hooks.example.com/a", filter: { detail: { kind: ["order"] } } },
                https { url: "https://hooks.example.com/b", filter: { a: [1], b: [2], c: [3], d: [4], e: [5], f: [6] } },
                https { url: "https://hooks.example.com/b" },
            ],
        };
    }
}

fn main() {}
