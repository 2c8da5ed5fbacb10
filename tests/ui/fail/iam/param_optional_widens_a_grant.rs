// An optional parameter left out must never widen a grant: not in a condition,
// not as a principal, not in what a Deny covers.
use tap_macros::stack;

stack! {
    stack Demo(vpce: Option<Str>, partner: Option<Str>, quarantine: Option<Str>) {
        data = s3::Bucket {
            allow: [
                s3:GetObject on data.objects to account(partner),
                s3:PutObject on data.objects to any when { StringEquals: { "aws:SourceVpce": vpce } },
            ],
            deny: [s3:DeleteObject on quarantine to any],
        };
    }
}

fn main() {}
