"""Home panel of the reviewing roles: applications waiting for the user's department."""

from __future__ import annotations

from srdi.accounts.roles import Role
from srdi.core import workspace

from . import selectors as S


@workspace.panel(
    "policy_reviews",
    title="待审核申报",
    template="policies/_home_reviews.html",
    roles={Role.ADMIN, Role.DEPARTMENT},
    order=15,
)
def pending_reviews(request):
    rows = S.pending_reviews(request.user)
    return {"rows": rows[:8], "count": len(rows), "link": "/policies/ledger/?tab=mine"}
