import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { processEnv } from './config/env.js'

/** Whether `path` is an absolute path to an existing directory (a session's working dir). */
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
