import { createHash, randomBytes } from 'node:crypto'
import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Clock, IdGenerator } from '@claude-sessions/core'
import { processEnv } from './config/env.js'

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export const randomIds: IdGenerator = {
  sessionId: () => randomBytes(4).toString('hex'),
  token: () => randomBytes(24).toString('base64url'),
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex')

export const isDirectory = (path: string): boolean => {
  try {
    return path.startsWith('/') && statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Whether `command` runs: an executable path, or a name found on PATH. */
export const commandAvailable = (command: string, path = processEnv().PATH ?? ''): boolean => {
  const executable = (file: string): boolean => {
    try {
      accessSync(file, constants.X_OK)
      return statSync(file).isFile()
    } catch {
      return false
    }
  }
  if (command.includes('/')) return executable(command)
  return path.split(delimiter).some((dir) => dir !== '' && executable(join(dir, command)))
}
