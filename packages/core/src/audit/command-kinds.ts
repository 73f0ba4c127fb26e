// Kinds of programs the classifier tells apart: shells, interpreters, fetchers, senders, data commands.

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'fish', 'csh', 'tcsh', 'pwsh', 'powershell'])

export const SSH_ARG_FLAGS = new Set(['-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W', '-w', '-B', '-P'])

export const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'php', 'deno', 'bun', 'tsx', 'ts-node', 'lua', 'Rscript', 'osascript'])

export const FETCHERS = new Set(['curl', 'wget', 'fetch', 'http', 'https', 'xh', 'aria2c', 'curlie', 'httpie'])

export const SENDERS = new Set(['curl', 'wget', 'nc', 'ncat', 'netcat', 'socat', 'telnet', 'ssh', 'scp', 'rsync', 'sftp', 'ftp', 'http', 'https', 'xh', 'curlie', 'dig', 'nslookup', 'host', 'mail', 'sendmail', 'mutt', 'openssl'])

export const DATA_COMMANDS = new Set(['echo', 'printf', 'true', 'false', ':'])

export const PATTERN_FIRST = new Set(['grep', 'egrep', 'fgrep', 'rg', 'ag', 'ack', 'sed', 'awk', 'git grep'])

export const isInterpreter = (n: string): boolean => INTERPRETERS.has(n) || /^python\d(\.\d+)?$/.test(n) || /^node\d*$/.test(n) || /^(perl|ruby|php)\d[\d.]*$/.test(n)
