use tap_macros::stack;

stack! {
    stack Demo {
        role = iam::Role {
            assumed_by: service("lambda.amazonaws.com"),
            allow: [[logs:CreateLogStream, logs:PutLogEvents] on handler.log_streams],
        };
        handler = lambda::Function { code: asset("."), role: role };
        api = apigatewayv2::HttpApi {
            routes: {
                "GET /orders/{id}": handler,
                "GET /orders/{orderId}": handler,
                "FETCH /orders": handler,
                "POST orders": handler,
                "GET /files/{path+}/meta": handler,
            },
        };
    }
}

fn main() {}
