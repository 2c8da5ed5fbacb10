//! What a curated kind adds to its table: the cross-checks a property table
//! cannot say, and its lowering into CloudFormation resources. Each kind's
//! file implements this; the drivers call it through `kinds::curated`.

use crate::base::diag::Diagnostics;
use crate::base::ir::ResourceDecl;
use crate::lower::{Ctx, Result};
use crate::model::kind::Kind;
use crate::model::resolve::Scope;

pub trait Curated: Sync {
    /// The kind's table.
    fn kind(&self) -> &'static Kind;

    /// The kind's own cross-checks of one declaration (wiring a property
    /// table cannot say). Most kinds have none.
    fn check(&self, _decl: &ResourceDecl, _scope: &Scope, _diags: &mut Diagnostics) {}

    /// Lowers a checked declaration into the template: the resource, its
    /// companions, and the grants and resource-policy statements it needs.
    fn lower(&self, cx: &mut Ctx, id: &str, decl: &ResourceDecl) -> Result<()>;
}
