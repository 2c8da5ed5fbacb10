//! A `Fn::FindInMap` key that no entry of the mapping has: a typo that would
//! fail every deploy, in every region.
use tap_macros::stack;

stack! {
    stack FindInMapKey {
        mapping RegionMap {
            "us-east-1": { HVM64: "ami-0ff8a91507f77f867" },
            "eu-west-1": { HVM64: "ami-047bb4163c506cd98" },
        };
        WebServer = cfn::EC2::Instance {
            ImageId: Fn::FindInMap(RegionMap, AWS::Region, "HVM46"),
        };
    }
}

fn main() {}
