//! A statement to anyone that S3 does not count as public (pinned to fixed
//! values of a narrowing key), and a bucket that says why its policy is public.
use tap_macros::stack;

stack! {
    stack PublicAccess {
        trail = s3::Bucket {
            allow: [
                s3:PutObject on trail.objects to any when {
                    StringEquals: { "aws:SourceAccount": "${AWS::AccountId}" },
                },
                s3:GetObject on trail.objects to any when {
                    StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" },
                },
                s3:GetObject on trail.objects to any when {
                    IpAddress: { "aws:SourceIp": ["10.0.0.0/16"] },
                },
            ],
        };
        site = s3::Bucket {
            public_policy: "the static website's pages, served to anyone",
            allow: [s3:GetObject on site.objects to any],
        };
    }
}

fn main() {
    let t = PublicAccess::new(PublicAccessProps {})
        .expect("stack")
        .synth(&tap_core::synth::PlaceholderAssets)
        .expect("template")
        .to_json();
    let block = |id: &str| t["Resources"][id]["Properties"]["PublicAccessBlockConfiguration"].clone();
    assert_eq!(block("Trail")["BlockPublicPolicy"], true);
    assert_eq!(block("Site")["BlockPublicPolicy"], false);
    assert_eq!(block("Site")["BlockPublicAcls"], true);
    assert_eq!(block("Site")["IgnorePublicAcls"], true);
}
