"""Links to highlights that last: a CloudFront distribution in front of the private highlights bucket.

Presigned S3 links signed by the clip Lambda stop working when its role session ends (hours),
whatever their expiry says. CloudFront reads the bucket through origin access control (OAC): the
bucket stays private (public access blocked, TLS only) and only this distribution may `GetObject`.
A link `https://<domain>/<key>` works for as long as the object exists; clip's keys are derived
from the goal id, which is not guessable from outside, and the bucket cannot be listed.

It lives in the stateful stack because the domain (`dxxxx.cloudfront.net`, chosen by CloudFront)
is in every published link: a new distribution would break all links published before it.

Example:
    >>> links = HighlightLinks(self, "HighlightLinks", bucket=media.highlights)
    >>> links.base_url   # "https://dxxxx.cloudfront.net", the clip function's HIGHLIGHTS_BASE_URL
"""

from __future__ import annotations

from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.constructs.nag import acknowledge, skip_checkov


class HighlightLinks(Construct):
    """The distribution (`distribution`) and the base URL of its links (`base_url`, no trailing slash)."""

    def __init__(self, scope: Construct, construct_id: str, *, bucket: s3.IBucket) -> None:
        super().__init__(scope, construct_id)
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="highlight-bot: clips and thumbnails of the highlights bucket",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=False,  # MP4 and JPEG are compressed already
            ),
            # North America and Europe edges only: the cheapest class; viewers elsewhere are served too.
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        self.base_url = f"https://{self.distribution.distribution_domain_name}"

        no_waf = (
            "The distribution serves read-only, unlisted objects under unguessable keys; AWS WAF would cost "
            "$5/month plus per-request fees for no rule that could tell a viewer from an attacker."
        )
        acknowledge(self.distribution, "AwsSolutions-CFR2", no_waf)
        skip_checkov(self.distribution, "CKV_AWS_68", no_waf)
        no_geo = "Highlights are for viewers anywhere; there is no country to exclude."
        acknowledge(self.distribution, "AwsSolutions-CFR1", no_geo)
        skip_checkov(self.distribution, "CKV_AWS_374", no_geo)
        default_certificate = (
            "The default *.cloudfront.net certificate is used (no custom domain to buy and validate); with it "
            "CloudFront fixes the minimum viewer protocol, and viewers negotiate TLS 1.2 or 1.3 in practice."
        )
        acknowledge(self.distribution, "AwsSolutions-CFR4", default_certificate)
        skip_checkov(self.distribution, "CKV_AWS_174", default_certificate)
        no_logs = (
            "CloudFront standard logs need ACLs on the target bucket, which every bucket here disables "
            "(BucketOwnerEnforced); the highlights bucket's S3 access log records each object CloudFront fetches."
        )
        acknowledge(self.distribution, "AwsSolutions-CFR3", no_logs)
        skip_checkov(self.distribution, "CKV_AWS_86", no_logs)
        skip_checkov(
            self.distribution,
            "CKV_AWS_305",
            "No default root object: the distribution serves only clip and thumbnail keys; '/' answers 403.",
        )
        skip_checkov(
            self.distribution,
            "CKV_AWS_310",
            "One origin, the highlights bucket: an origin group needs a replica bucket in another region, "
            "doubling storage for links that S3's own availability already covers.",
        )
