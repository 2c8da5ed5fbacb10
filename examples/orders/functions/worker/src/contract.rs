tap_macros::contract! {
    /// The orders whose work is done are marked `processed` here.
    env ORDERS_TABLE: dynamodb::Table.name {
        dynamodb:UpdateItem,
    }
}
