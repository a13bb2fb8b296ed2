import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** Best-fit intent of a conversation. */
export class PathorsConversationIntent {
  /** The intent. */
  @IsString()
  readonly intent!: string;
  /** Confidence of the classification. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  readonly confidence!: number;
  /** Why this intent. */
  @IsOptional()
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

/** Resolution classifications. */
export const PATHORS_RESOLUTIONS = [
  'RESOLVED',
  'PARTIALLY_RESOLVED',
  'UNRESOLVED',
  'NOT_APPLICABLE',
] as const;
/** Whether the conversation resolved the customer's need. */
export type PathorsResolution = (typeof PATHORS_RESOLUTIONS)[number];

/** Resolution Analysis result (present only when enabled on the agent). */
export class PathorsResolutionAnalysis {
  /** The classification. */
  @IsIn(PATHORS_RESOLUTIONS)
  readonly classification!: PathorsResolution;
  /** Confidence of the classification. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  readonly confidenceScore!: number;
  /** Checklist items the conversation satisfied. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly satisfiedChecklistItems?: string[];
  /** Evidence for the classification. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  readonly evidence?: string[];
  /** Why this classification. */
  @IsOptional()
  @IsString()
  readonly explanation?: string;
}

/** Sentiments. */
export const PATHORS_SENTIMENTS = ['POSITIVE', 'NEUTRAL', 'NEGATIVE'] as const;
/** Overall sentiment of a conversation. */
export type PathorsSentiment = (typeof PATHORS_SENTIMENTS)[number];

/** Sentiment of a whole conversation. */
export class PathorsConversationSentiment {
  /** The sentiment. */
  @IsIn(PATHORS_SENTIMENTS)
  readonly sentiment!: PathorsSentiment;
  /** Score from -1 (negative) to +1 (positive). */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  readonly score!: number;
  /** Language detected in the conversation. */
  @IsOptional()
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
  @IsOptional()
  @IsString()
  readonly summary?: string;
  /** Intent Recognition result. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsIntentAnalysis)
  readonly intent?: PathorsIntentAnalysis;
  /** Resolution Analysis result. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsResolutionAnalysis)
  readonly resolution?: PathorsResolutionAnalysis;
  /** Sentiment result. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsSentimentAnalysis)
  readonly sentiment?: PathorsSentimentAnalysis;
  /** Every field of the agent's Data Extraction schema, keyed by name. */
  @IsOptional()
  @IsObject()
  readonly extractedData?: Record<string, unknown>;
  /** Link into the dashboard to play the recording back. */
  @IsOptional()
  @IsString()
  readonly recordingUrl?: string;
}
