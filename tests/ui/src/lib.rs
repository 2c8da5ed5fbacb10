//! Nothing here: the cases are `fail/*/*.rs` and `pass/*.rs`, run by `tests/ui.rs`.
//! This is its own package so that trybuild builds them against `tap-core` and
//! `tap-macros` only, not the AWS SDK that `tap-tests` pulls in with `tap-app`.
