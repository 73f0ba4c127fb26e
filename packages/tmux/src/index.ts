export { TmuxMultiplexer, type TmuxMultiplexerOptions } from './tmux-multiplexer.js'
export { attachArgv, tmuxAvailable, tmuxVersion } from './attach.js'
export { TmuxTerminalViewer, type TmuxTerminalViewerOptions } from './terminal-viewer.js'
