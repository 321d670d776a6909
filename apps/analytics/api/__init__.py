"""The analytics API: metrics, series, process map, variants, bottleneck, exports, imports."""
