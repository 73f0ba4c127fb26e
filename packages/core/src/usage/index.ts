export { readOtlpLogs, type ApiRequestRecord, type OtlpReading } from './otlp-logs.js'
export { rollUp } from './roll-up.js'
