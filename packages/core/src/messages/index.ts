export * from './message.js'
export * from './plan.js'
