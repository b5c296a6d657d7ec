/** SVG charts for evaluation results, rendered headless with vega-lite + vega. */
export { renderSvg, type ChartOptions, type VegaLiteSpec } from './render.js';
export { plotLatencyQuality, type LatencyQualityOptions, type LatencyQualityRow } from './latency-quality.js';
export { plotScaling, type ScalingOptions, type ScalingRow } from './scaling.js';
export { plotPerQueryDelta, type PerQueryDeltaOptions, type PerQueryValues } from './per-query-delta.js';
