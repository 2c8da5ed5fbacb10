//! Custom metrics as CloudWatch embedded metric format (EMF) log lines:
//! Lambda's log stream turns them into metrics with no API call and no
//! `cloudwatch:PutMetricData` grant.

use serde_json::{json, Value};

pub const NAMESPACE: &str = "TapApplication";

/// One processed request, in the `Environment` dimension.
pub fn processed_request(environment: &str, timestamp_ms: u64) -> Value {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Environment"]],
                "Metrics": [{ "Name": "ProcessedRequests", "Unit": "Count" }],
            }],
        },
        "Environment": environment,
        "ProcessedRequests": 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EMF takes a metric's value from the top-level member of its name; the
    /// seed put `Value: 1` inside the metric definition, where it is ignored,
    /// so its metric never had a value.
    #[test]
    fn the_value_is_a_top_level_member_named_after_the_metric() {
        let line = processed_request("production", 1_700_000_000_000);
        let def = &line["_aws"]["CloudWatchMetrics"][0];
        let name = def["Metrics"][0]["Name"].as_str().expect("name");
        assert_eq!(line[name], 1);
        assert!(def["Metrics"][0].get("Value").is_none());
        // Every dimension is a top-level member too.
        for d in def["Dimensions"][0].as_array().expect("dimension set") {
            assert_eq!(line[d.as_str().expect("dimension")], "production");
        }
        assert_eq!(def["Namespace"], "TapApplication");
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000u64);
    }
}
