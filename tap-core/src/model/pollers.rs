//! What Lambda calls, as a function's role, on the queues and streams it
//! polls for the function (an event source mapping): one table for the check
//! that the role grants it (`kinds::lambda_event_source`) and for the
//! least-privilege check that counts it as used (`rules::contract`).

/// How the role must grant an action of a poller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// On the source (its attribute [`Poller::attr`]): Lambda refuses the
    /// mapping without it.
    Source,
    /// On `*`: the action has no resource type, and Lambda needs it.
    Any,
    /// Not needed, but what AWS's managed execution role grants: a role may
    /// have it without the least-privilege check calling it unused.
    Optional,
}

/// One kind of event source, by its CloudFormation type.
#[derive(Debug)]
pub struct Poller {
    pub cfn_type: &'static str,
    /// The attribute of the source a grant is written on (`table.stream`).
    pub attr: &'static str,
    pub actions: &'static [(&'static str, Grant)],
}

/// The execution-role permissions AWS documents for each poller
/// (`AWSLambdaSQSQueueExecutionRole`, `AWSLambdaDynamoDBExecutionRole`,
/// `AWSLambdaKinesisExecutionRole`).
pub const POLLERS: &[Poller] = &[
    Poller {
        cfn_type: "AWS::SQS::Queue",
        attr: "arn",
        actions: &[
            ("sqs:ReceiveMessage", Grant::Source),
            ("sqs:DeleteMessage", Grant::Source),
            ("sqs:GetQueueAttributes", Grant::Source),
            ("sqs:ChangeMessageVisibility", Grant::Optional),
        ],
    },
    Poller {
        cfn_type: "AWS::DynamoDB::Table",
        attr: "stream",
        actions: &[
            ("dynamodb:DescribeStream", Grant::Source),
            ("dynamodb:GetRecords", Grant::Source),
            ("dynamodb:GetShardIterator", Grant::Source),
            ("dynamodb:ListStreams", Grant::Any),
        ],
    },
    Poller {
        cfn_type: "AWS::Kinesis::Stream",
        attr: "Arn",
        actions: &[
            ("kinesis:DescribeStream", Grant::Source),
            ("kinesis:DescribeStreamSummary", Grant::Source),
            ("kinesis:GetRecords", Grant::Source),
            ("kinesis:GetShardIterator", Grant::Source),
            ("kinesis:ListShards", Grant::Source),
            ("kinesis:ListStreams", Grant::Optional),
            ("kinesis:SubscribeToShard", Grant::Optional),
        ],
    },
];

/// The poller of a source's CloudFormation type.
pub fn poller(cfn_type: &str) -> Option<&'static Poller> {
    POLLERS.iter().find(|p| p.cfn_type == cfn_type)
}

/// An `events` item of a function: its tag (`sqs`, `dynamodb`, `kinesis`)
/// and the key that names its source.
pub fn source_key(tag: &str) -> Option<&'static str> {
    match tag {
        "sqs" => Some("queue"),
        "dynamodb" => Some("table"),
        "kinesis" => Some("stream"),
        _ => None,
    }
}
