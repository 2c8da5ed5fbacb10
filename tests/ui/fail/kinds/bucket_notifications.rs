use tap_macros::stack;

// S3 tests the destinations when the configuration is saved, and refuses two
// configurations that could match one event.
stack! {
    stack Demo {
        jobs = sqs::Queue {};
        ordered = sqs::Queue { fifo: true };
        unnamed = s3::Bucket {
            notifications: [{ events: ["s3:ObjectCreated:*"], to: jobs }],
        };
        uploads = s3::Bucket {
            name: "tap-demo-uploads",
            notifications: [
                { events: ["s3:ObjectCreated:*"], prefix: "incoming/", to: jobs },
                { events: ["s3:ObjectCreated:Put"], prefix: "incoming/csv/", suffix: ".csv", to: jobs },
                { events: ["s3:ObjectCreated"], prefix: "other/", to: jobs },
                { events: ["s3:ObjectRemoved:*"], to: ordered },
                { events: ["s3:ObjectRestore:*", "s3:ObjectRestore:Completed"], to: jobs },
            ],
        };
    }
}

fn main() {}
