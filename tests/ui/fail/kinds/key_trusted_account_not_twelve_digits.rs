use tap_macros::stack;

stack! {
    stack Demo {
        // Shared with another account, whose ID is mistyped.
        key = kms::Key { trusted_accounts: ["22222222222"] };
    }
}

fn main() {}
