import { fileInvalid } from './rules/fileInvalid';
import { imageFloatingTag } from './rules/imageFloatingTag';
import { imageInvalidReference } from './rules/imageInvalidReference';
import { imageLatest } from './rules/imageLatest';
import { imageRegistryNotAllowed } from './rules/imageRegistryNotAllowed';
import { imageTagDrift } from './rules/imageTagDrift';
import { imageUnpinned } from './rules/imageUnpinned';
import { imageUntagged } from './rules/imageUntagged';
import { labelDeprecatedSchema } from './rules/labelDeprecatedSchema';
import { labelEmpty } from './rules/labelEmpty';
import { labelInDiscardedStage } from './rules/labelInDiscardedStage';
import { labelInvalidValue } from './rules/labelInvalidValue';
import { labelMissing } from './rules/labelMissing';
import { labelUndefinedVariable } from './rules/labelUndefinedVariable';
import type { DockerfileRule, ImageRule, Rule } from './rule';

export const DOCKERFILE_RULES: readonly DockerfileRule[] = [
  labelMissing, labelInvalidValue, labelUndefinedVariable, labelEmpty, labelDeprecatedSchema, labelInDiscardedStage,
];

export const IMAGE_RULES: readonly ImageRule[] = [imageUntagged, imageLatest, imageFloatingTag, imageUnpinned, imageInvalidReference, imageRegistryNotAllowed];

export const ALL_RULES: readonly Rule[] = [...DOCKERFILE_RULES, ...IMAGE_RULES, imageTagDrift, fileInvalid];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(ALL_RULES.map((rule) => [rule.id, rule]));
