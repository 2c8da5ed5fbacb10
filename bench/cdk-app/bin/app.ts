#!/usr/bin/env node
// The seed's app (the two stacks of lib/), wired as tap's seed wires them
// (tap-app/seed/src/stacks/mod.rs): TapStack, then PipelineStack, whose S3
// source is TapStack's pipeline source bucket and the key `tap-source.zip`.
import * as cdk from 'aws-cdk-lib';
import { PipelineStack } from '../lib/pipeline-stack';
import { TapStack } from '../lib/tap-stack';

const app = new cdk.App();

const tapStack = new TapStack(app, 'TapStack');

new PipelineStack(app, 'PipelineStack', {
  sourceS3Bucket: tapStack.pipelineSourceBucket,
  sourceS3Key: 'tap-source.zip',
});

app.synth();
