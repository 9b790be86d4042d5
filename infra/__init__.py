"""The aws-cdk-lib app that deploys highlight-bot: `cdk synth` / `cdk deploy --all` from the repo root."""
