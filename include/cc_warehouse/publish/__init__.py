"""Write-audit-publish: copy a gated build's marts into the analyst-facing warehouse file atomically."""

from cc_warehouse.publish.warehouse import PUBLISHED_SCHEMAS, PublishResult, publish

__all__ = ["PUBLISHED_SCHEMAS", "PublishResult", "publish"]
