//! `apigatewayv2::HttpApi` → `AWS::ApiGatewayV2::Api`: an HTTP API whose
//! routes invoke functions, as the CDK's `HttpApi` with
//! `HttpLambdaIntegration`s: one integration per function, one route per
//! route key, the `$default` stage deployed automatically, and a permission
//! per route that lets API Gateway invoke the function for that route only.

use super::curated::Curated;
use crate::base::diag::{Diagnostic, Diagnostics};
use crate::base::ir::*;
use crate::base::template::{Expr, Resource};
use crate::lower::delivery::{allow_delivery, Source};
use crate::lower::{Ctx, Result};
use crate::model::kind::*;
use crate::model::resolve::Scope;

pub const KIND: Kind = Kind {
    name: "apigatewayv2::HttpApi",
    cfn_type: "AWS::ApiGatewayV2::Api",
    doc: "An HTTP API (API Gateway v2) whose routes invoke functions through Lambda proxy integrations (payload format 2.0), deployed to the `$default` stage. Each route may invoke its function and nothing else.",
    props: &[
        prop("name", Ty::Str, "The API's name (by default the stack's name and the API's logical ID)."),
        prop("description", Ty::Str, "The API's description."),
        req("routes", Ty::Map(&Ty::Ref(&["lambda::Function", "lambda::Alias"])), "Route keys and the function each invokes: `\"GET /orders/{id}\": get_order`, `\"ANY /{proxy+}\": api`, `\"$default\": fallback`."),
    ],
    attrs: &[
        attr("id", AttrValue::Ref, "The API's ID."),
        attr("url", AttrValue::GetAtt("ApiEndpoint"), "The API's URL (`https://{id}.execute-api.{region}.amazonaws.com`)."),
    ],
    arn_attr: "",
    phase: 0,
    from_ref: None,
    key_markers: None,
};

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY",
];

/// `apigatewayv2_http_api`'s own checks and lowering, for the drivers.
pub struct Apigatewayv2HttpApi;

/// Why a route key is not one API Gateway accepts.
fn route_problem(key: &str) -> Option<String> {
    if key == "$default" {
        return None;
    }
    let Some((method, path)) = key.split_once(' ') else {
        return Some(format!(
            "`{key}` is not a route key: `METHOD /path` (`GET /orders/{{id}}`) or `$default`"
        ));
    };
    if !METHODS.contains(&method) {
        return Some(format!(
            "`{method}` is not an HTTP method API Gateway routes: one of {}",
            METHODS.join(", ")
        ));
    }
    if !path.starts_with('/') {
        return Some(format!("the path `{path}` starts with `/`"));
    }
    if path == "/" {
        return None;
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    for (i, s) in segments.iter().enumerate() {
        if s.is_empty() {
            return Some(format!(
                "the path `{path}` has an empty segment (a `//` or a trailing `/`)"
            ));
        }
        if s.contains(['{', '}']) {
            let Some(name) = s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                return Some(format!(
                    "`{s}`: a path parameter is a whole segment, `{{name}}`"
                ));
            };
            let (name, greedy) = match name.strip_suffix('+') {
                Some(n) => (n, true),
                None => (name, false),
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Some(format!(
                    "`{s}`: a path parameter's name is letters, digits and `_`"
                ));
            }
            if greedy && i + 1 != segments.len() {
                return Some(format!(
                    "`{s}` takes the rest of the path, so it is the last segment"
                ));
            }
        }
    }
    None
}

/// The route a key matches, whatever its parameters are named:
/// `GET /orders/{id}` and `GET /orders/{orderId}` are one route.
fn shape(key: &str) -> String {
    key.split('/')
        .map(|s| match (s.starts_with('{'), s.ends_with("+}")) {
            (true, true) => "{+}",
            (true, false) => "{}",
            _ => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The route's part of the ARN API Gateway invokes with:
/// `GET /orders/{id}` → `GET/orders/*`; `ANY` is any method.
fn source_path(key: &str) -> String {
    if key == "$default" {
        return "*/$default".into();
    }
    let (method, path) = key.split_once(' ').unwrap_or(("ANY", "/"));
    let method = if method == "ANY" { "*" } else { method };
    let path: Vec<&str> = path
        .split('/')
        .map(|s| if s.starts_with('{') { "*" } else { s })
        .collect();
    format!("{method}{}", path.join("/"))
}

/// A logical ID part for a route: `GET /orders/{id}` → `GetOrdersId`.
fn route_name(key: &str) -> String {
    let mut out = String::new();
    for word in key
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        "Default".into()
    } else {
        out
    }
}

impl Curated for Apigatewayv2HttpApi {
    fn kind(&self) -> &'static Kind {
        &KIND
    }

    /// Route keys API Gateway accepts, none of them the same route twice.
    fn check(&self, decl: &ResourceDecl, _scope: &Scope, diags: &mut Diagnostics) {
        let Some(Value::Object { fields, .. }) = field(&decl.fields, "routes") else {
            return;
        };
        if fields.is_empty() {
            diags.error(decl.name.loc, "an HTTP API has at least one route");
        }
        let mut seen: Vec<(String, &str)> = Vec::new();
        for f in fields {
            let key = f.key.text.as_str();
            if let Some(problem) = route_problem(key) {
                diags.push(
                    Diagnostic::new(f.key.loc, problem).help("`\"GET /orders/{id}\": get_order`"),
                );
                continue;
            }
            let s = shape(key);
            if let Some((_, first)) = seen.iter().find(|(other, _)| *other == s) {
                diags.push(
                    Diagnostic::new(f.key.loc, format!("`{key}` is the same route as `{first}`: API Gateway refuses the second"))
                        .help("one route per method and path, whatever its parameters are named"),
                );
            }
            seen.push((s, key));
        }
    }

    fn lower(&self, cx: &mut Ctx, id: &str, d: &ResourceDecl) -> Result<()> {
        let f = &d.fields;
        let name = cx
            .opt(f, "name")?
            .unwrap_or_else(|| Expr::sub(format!("${{AWS::StackName}}-{id}")));
        cx.add(
            id,
            Resource::new("AWS::ApiGatewayV2::Api")
                .prop("Name", name)
                .prop("ProtocolType", Expr::str("HTTP"))
                .opt("Description", cx.opt(f, "description")?),
        );
        cx.add(
            format!("{id}DefaultStage"),
            Resource::new("AWS::ApiGatewayV2::Stage")
                .prop("ApiId", Expr::reference(id))
                .prop("StageName", Expr::str("$default"))
                .prop("AutoDeploy", Expr::Bool(true)),
        );
        let Some(Value::Object { fields: routes, .. }) = field(f, "routes") else {
            return Ok(());
        };
        let mut integrations: Vec<(String, String)> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, route) in routes.iter().enumerate() {
            let key = route.key.text.as_str();
            let function = cx
                .local_id(&route.value)
                .unwrap_or_else(|| format!("Function{}", i + 1));
            let mut name = format!("{id}{}", route_name(key));
            if names.contains(&name) {
                name = format!("{name}{}", i + 1);
            }
            names.push(name.clone());
            let source = Source {
                service: "apigateway.amazonaws.com",
                arn: Expr::sub(format!(
                    "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}/*/{}",
                    source_path(key)
                )),
                pin_account: false,
            };
            let arn = allow_delivery(cx, &route.value, &source, &name)?;
            let integration = match integrations.iter().find(|(f, _)| *f == function) {
                Some((_, i)) => i.clone(),
                None => {
                    let integration = format!("{id}{function}Integration");
                    cx.add(
                        integration.clone(),
                        Resource::new("AWS::ApiGatewayV2::Integration")
                            .prop("ApiId", Expr::reference(id))
                            .prop("IntegrationType", Expr::str("AWS_PROXY"))
                            .prop("IntegrationUri", arn)
                            .prop("PayloadFormatVersion", Expr::str("2.0")),
                    );
                    integrations.push((function, integration.clone()));
                    integration
                }
            };
            cx.add(
                format!("{name}Route"),
                Resource::new("AWS::ApiGatewayV2::Route")
                    .prop("ApiId", Expr::reference(id))
                    .prop("RouteKey", Expr::str(key))
                    .prop(
                        "Target",
                        Expr::sub(format!("integrations/${{{integration}}}")),
                    ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        for ok in [
            "$default",
            "GET /",
            "GET /orders/{id}",
            "ANY /{proxy+}",
            "POST /orders",
            "GET /a_b/{id}/items",
        ] {
            assert_eq!(route_problem(ok), None, "{ok}");
        }
        for bad in [
            "GET",
            "FETCH /x",
            "GET orders",
            "GET /orders/",
            "GET //x",
            "GET /{proxy+}/x",
            "GET /items{id}",
            "GET /{}",
        ] {
            assert!(route_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(shape("GET /orders/{id}"), shape("GET /orders/{orderId}"));
        assert_eq!(source_path("GET /orders/{id}"), "GET/orders/*");
        assert_eq!(source_path("ANY /{proxy+}"), "*/*");
        assert_eq!(route_name("GET /orders/{id}"), "GetOrdersId");
    }
}
