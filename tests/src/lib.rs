//! Shared helpers for tap's integration tests.
