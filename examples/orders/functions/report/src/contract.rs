tap_macros::contract! {
    /// The orders the report counts.
    env ORDERS_TABLE: dynamodb::Table.name {
        dynamodb:Scan,
    }
    /// Where the report is written, one object per night.
    env REPORTS_BUCKET: s3::Bucket.name {
        s3:PutObject on objects,
    }
}
