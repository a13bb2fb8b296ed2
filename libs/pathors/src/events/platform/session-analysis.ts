import { Type } from 'class-transformer';
import { IsArray, IsNumber, IsObject, IsString, Max, Min, ValidateNested } from 'class-validator';
import { IsPathorsOptional } from '../optional-field.decorator.js';
import { IsPathorsValue, type PathorsValue } from '../pathors-value.js';

/** Best-fit intent of a conversation. */
export class PathorsConversationIntent {
  /** The intent. */
  @IsString()
  readonly intent!: string;
  /** Confidence of the classification. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  readonly confidence!: number;
  /** Why this intent. */
  @IsPathorsOptional()
  @IsString()
  readonly explanation?: string;
}

/** Intent Recognition result (present only when enabled on the agent). */
export class PathorsIntentAnalysis {
  /** Intent of the whole conversation. */
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsConversationIntent)
  readonly conversation!: PathorsConversationIntent;
}

/** Resolution classifications this version knows. */
export const PATHORS_RESOLUTIONS = [
  'RESOLVED',
  'PARTIALLY_RESOLVED',
  'UNRESOLVED',
  'NOT_APPLICABLE',
] as const;
/** A resolution classification this version knows. */
export type PathorsResolution = (typeof PATHORS_RESOLUTIONS)[number];
/** Whether the conversation resolved the customer's need: a {@link PathorsResolution} or one Pathors added since. */
export type PathorsResolutionValue = PathorsValue<PathorsResolution>;

/** Resolution Analysis result (present only when enabled on the agent). */
export class PathorsResolutionAnalysis {
  /** The classification (see {@link PATHORS_RESOLUTIONS}). */
  @IsPathorsValue(PATHORS_RESOLUTIONS)
  readonly classification!: PathorsResolutionValue;
  /** Confidence of the classification. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  readonly confidenceScore!: number;
  /** Checklist items the conversation satisfied. */
  @IsPathorsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly satisfiedChecklistItems?: string[];
  /** Evidence for the classification. */
  @IsPathorsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly evidence?: string[];
  /** Why this classification. */
  @IsPathorsOptional()
  @IsString()
  readonly explanation?: string;
}

/** Sentiments this version knows. */
export const PATHORS_SENTIMENTS = ['POSITIVE', 'NEUTRAL', 'NEGATIVE'] as const;
/** A sentiment this version knows. */
export type PathorsSentiment = (typeof PATHORS_SENTIMENTS)[number];
/** Overall sentiment of a conversation: a {@link PathorsSentiment} or one Pathors added since. */
export type PathorsSentimentValue = PathorsValue<PathorsSentiment>;

/** Sentiment of a whole conversation. */
export class PathorsConversationSentiment {
  /** The sentiment (see {@link PATHORS_SENTIMENTS}). */
  @IsPathorsValue(PATHORS_SENTIMENTS)
  readonly sentiment!: PathorsSentimentValue;
  /** Score from -1 (negative) to +1 (positive). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  readonly score!: number;
  /** Language detected in the conversation. */
  @IsPathorsOptional()
  @IsString()
  readonly detectedLanguage?: string;
}

/** Sentiment result (present only when enabled on the agent). */
export class PathorsSentimentAnalysis {
  /** Sentiment of the whole conversation. */
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsConversationSentiment)
  readonly conversation!: PathorsConversationSentiment;
}

/** Post-call analysis of a platform `session.ended`: summary-grade, not a transcript. */
export class PathorsSessionAnalysis {
  /** One-paragraph summary of the conversation. */
  @IsPathorsOptional()
  @IsString()
  readonly summary?: string;
  /** Intent Recognition result. */
  @IsPathorsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsIntentAnalysis)
  readonly intent?: PathorsIntentAnalysis;
  /** Resolution Analysis result. */
  @IsPathorsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsResolutionAnalysis)
  readonly resolution?: PathorsResolutionAnalysis;
  /** Sentiment result. */
  @IsPathorsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsSentimentAnalysis)
  readonly sentiment?: PathorsSentimentAnalysis;
  /** Every field of the agent's Data Extraction schema, keyed by name. */
  @IsPathorsOptional()
  @IsObject()
  readonly extractedData?: Record<string, unknown>;
  /** Link into the dashboard to play the recording back. */
  @IsPathorsOptional()
  @IsString()
  readonly recordingUrl?: string;
}
