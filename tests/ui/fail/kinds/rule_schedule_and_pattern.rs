use tap_macros::stack;

// EventBridge refuses these at deploy time: a plural unit after 1 is fine, a
// singular after 5 is not; a cron with both day fields set; a pattern value
// that is not a list.
stack! {
    stack Demo {
        jobs = sqs::Queue {};
        every_five = events::Rule { schedule: "rate(5 minute)", targets: [jobs] };
        nightly = events::Rule { schedule: "cron(0 3 * * * *)", targets: [jobs] };
        uploads = events::Rule {
            pattern: { source: "aws.s3", "detail-type": ["Object Created"] },
            targets: [jobs],
        };
        neither = events::Rule { targets: [jobs] };
        regional = events::Rule {
            schedule: "rate(1 day)",
            targets: [jobs],
            input: { region: "${AWS::Region}" },
        };
    }
}

fn main() {}
