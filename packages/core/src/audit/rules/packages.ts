/** Packages pack: system package changes, forced removals, and unpublishing from registries. */
import type { Cmd, Pack } from './types.js'

function pipArgs(c: Cmd): { verb: string; c: Cmd } | null {
  if (/^pip\d?(\.\d+)?$/.test(c.name)) return { verb: c.pos[0] ?? '', c }
  return null
}

export const packages: Pack = {
  name: 'packages',
  description: 'global/system package installs and removals, forced removals, registry unpublish/yank',
  valueFlags: {
    pip: ['-r', '--requirement', '-c', '--constraint', '-t', '--target', '--prefix', '-i', '--index-url', '--extra-index-url', '--python'],
    pip3: ['-r', '--requirement', '-c', '--constraint', '-t', '--target', '--prefix', '-i', '--index-url', '--extra-index-url', '--python'],
    npm: ['--registry', '--otp', '--prefix', '-w', '--workspace', '--tag'],
    rpm: ['--root', '--dbpath'],
    dpkg: ['--root', '--admindir'],
    conda: ['-n', '--name', '-p', '--prefix', '-c', '--channel'],
    mamba: ['-n', '--name', '-p', '--prefix', '-c', '--channel'],
    cargo: ['--vers', '--version', '--registry', '--index', '--token'],
    brew: ['--cask'],
  },
  rules: [
    {
      id: 'packages.global-node',
      category: 'system_package',
      commands: ['npm', 'pnpm', 'bun'],
      when: (c) => {
        const verb = c.pos[0] ?? ''
        const global = c.has('-g', '--global') || c.t.includes('--location=global')
        return global && ['i', 'in', 'install', 'add', 'isntall', 'uninstall', 'remove', 'rm', 'un', 'r', 'update', 'up', 'upgrade', 'link'].includes(verb) && `${c.name} ${verb} -g changes globally installed packages`
      },
      reason: 'changes globally installed packages',
      examples: ['npm i -g typescript', 'npm install --global pnpm', 'sudo npm install -g yarn', 'pnpm add -g turbo', 'npm uninstall -g eslint', 'bun add -g x'],
      safeExamples: ['npm install', 'npm i lodash', 'pnpm add -D vitest', 'npm ls -g'],
    },
    {
      id: 'packages.yarn-global',
      category: 'system_package',
      commands: ['yarn'],
      sub: ['global', ['add', 'remove', 'upgrade']],
      reason: 'yarn global changes globally installed packages',
      examples: ['yarn global add serve', 'yarn global remove serve'],
      safeExamples: ['yarn add react', 'yarn global list'],
    },
    {
      id: 'packages.pip-system',
      category: 'system_package',
      commands: ['pip', 'pip3', 'pip3.11', 'pip3.12', 'pip3.13', 'pip2', 'pip3.10', 'pip3.9'],
      when: (c) => {
        const p = pipArgs(c)
        if (!p) return false
        const { verb } = p
        if (verb !== 'install' && verb !== 'uninstall') return false
        if (c.has('--target', '--prefix', '-t')) return false
        if (c.has('--break-system-packages')) return `pip ${verb} --break-system-packages modifies the system Python`
        if (c.sudo) return `sudo pip ${verb} modifies the system Python`
        if (c.has('--user')) return `pip ${verb} --user installs outside any virtualenv`
        if (c.ctx.venv === false) return `pip ${verb} with no virtualenv active`
        if (verb === 'uninstall' && c.has('-y', '--yes') && (c.pos.length > 2 || c.has('-r', '--requirement'))) return 'pip uninstall -y removes many packages without asking'
        return false
      },
      reason: 'pip changes the system Python',
      examples: ['pip install --user requests', 'sudo pip install flask', 'pip3 install --break-system-packages numpy', 'python3 -m pip install --user x', 'pip uninstall -y numpy pandas scipy', 'pip uninstall -y -r requirements.txt'],
      safeExamples: ['pip install -r requirements.txt', 'pip install --target ./vendor x', 'pip uninstall -y numpy', 'pip list', 'pip freeze'],
    },
    {
      id: 'packages.uv-system',
      category: 'system_package',
      commands: ['uv'],
      sub: ['pip'],
      anyFlag: ['--system', '--break-system-packages'],
      reason: 'uv pip --system modifies the system Python',
      examples: ['uv pip install --system ruff', 'uv pip uninstall --system x'],
      safeExamples: ['uv pip install ruff', 'uv sync'],
    },
    {
      id: 'packages.system-manager',
      category: 'system_package',
      commands: ['apt', 'apt-get', 'aptitude', 'yum', 'dnf', 'microdnf', 'zypper', 'snap', 'apk', 'pacman', 'yay', 'paru', 'emerge', 'xbps-install', 'xbps-remove', 'pkg', 'opkg', 'port', 'flatpak', 'choco', 'winget', 'scoop', 'nix-env', 'rpm', 'dpkg', 'gem', 'brew', 'conda', 'mamba', 'micromamba', 'pipx', 'nix-collect-garbage', 'swupd', 'eopkg', 'slackpkg', 'urpmi', 'urpme'],
      dryRun: false,
      when: (c) => {
        const verb = c.pos[0] ?? ''
        const t = c.t
        switch (c.name) {
          case 'apt':
          case 'apt-get':
          case 'aptitude':
          case 'yum':
          case 'dnf':
          case 'microdnf':
          case 'zypper':
          case 'snap':
          case 'opkg':
          case 'swupd':
          case 'eopkg':
          case 'slackpkg':
            if (c.has('-s', '--simulate', '--dry-run', '--assumeno', '--just-print', '--no-act', '--recon')) return false
            return ['install', 'remove', 'purge', 'autoremove', 'erase', 'reinstall', 'dist-upgrade', 'full-upgrade', 'upgrade', 'in', 'rm', 'autopurge', 'bundle-remove', 'bundle-add'].includes(verb) && `${c.name} ${verb} changes system packages${c.sudo ? '' : ' (needs root)'}`
          case 'apk':
            return ['add', 'del'].includes(verb) && `apk ${verb} changes system packages`
          case 'pacman':
          case 'yay':
          case 'paru':
            return t.some((x) => /^-(S|R|U)/.test(x) && !/^-S[silgpc]/.test(x) && !/^-Sy?u?w/.test(x)) && `${c.name} changes system packages`
          case 'emerge':
            return c.has('--unmerge', '-C', '--depclean', '-c') && 'emerge --unmerge removes system packages'
          case 'xbps-remove':
          case 'urpme':
            return true
          case 'pkg':
            return ['delete', 'remove', 'autoremove'].includes(verb) && c.has('-f', '-y', '--force', '--yes', '-a') && `pkg ${verb} removes system packages`
          case 'port':
            return verb === 'uninstall' && (c.has('-f') || c.pos.includes('inactive') || c.pos.includes('--follow-dependents'))
          case 'flatpak':
            return ['uninstall', 'remove'].includes(verb) && c.has('--all', '--delete-data', '--unused') && 'flatpak uninstall --all/--delete-data'
          case 'choco':
          case 'winget':
          case 'scoop':
            return ['uninstall', 'remove'].includes(verb) && c.has('-y', '--force', '-f', '--purge', '-p', '--all', '-a') && `${c.name} ${verb} removes packages without asking`
          case 'nix-env':
            return c.has('-e', '--uninstall', '--delete-generations') && 'nix-env removes packages or generations'
          case 'nix-collect-garbage':
            return c.has('-d', '--delete-old', '--delete-older-than') && 'nix-collect-garbage -d deletes old generations (no rollback)'
          case 'rpm':
            return c.has('-e', '--erase') && `rpm -e removes system packages${c.has('--nodeps') ? ' ignoring dependencies' : ''}`
          case 'dpkg':
            return (c.has('-r', '-P', '--remove', '--purge') || t.some((x) => x.startsWith('--force-'))) && !c.has('--no-act', '--dry-run', '--simulate') && 'dpkg removes system packages'
          case 'gem':
            if (['install', 'uninstall', 'update'].includes(verb) && c.sudo) return `sudo gem ${verb} changes system gems`
            return verb === 'uninstall' && c.has('-a', '--all') && c.has('-x', '--executables', '-I', '--ignore-dependencies') && 'gem uninstall --all removes every version'
          case 'brew':
            return ['uninstall', 'remove', 'rm'].includes(verb) && c.has('--force', '-f', '--zap', '--ignore-dependencies') && `brew ${verb} --force removes packages${c.has('--zap') ? ' and their data' : ''}`
          case 'conda':
          case 'mamba':
          case 'micromamba':
            return ((verb === 'remove' || verb === 'uninstall') && c.has('--all')) || (verb === 'env' && ['remove', 'rm'].includes(c.pos[1] ?? '')) ? `${c.name} removes a whole environment` : false
          case 'pipx':
            return verb === 'uninstall-all' || verb === 'reinstall-all'
          default:
            return false
        }
      },
      reason: (c) => `${c.name} changes system packages`,
      examples: ['sudo apt install -y curl', 'sudo apt-get remove nginx', 'apt purge -y libc6', 'apt-get autoremove --purge -y', 'sudo yum install git', 'sudo dnf remove vim', 'sudo pacman -Rns python', 'apk del bash', 'rpm -e --nodeps glibc', 'sudo dpkg --purge --force-all openssh-server', 'brew uninstall --force node', 'brew uninstall --zap --cask docker', 'conda env remove -n ml', 'conda remove --all -n base2', 'sudo gem install rails', 'choco uninstall git -y', 'nix-collect-garbage -d', 'snap remove --purge lxd', 'flatpak uninstall --all -y'],
      safeExamples: ['apt-cache search jq', 'apt list --installed', 'brew install jq', 'brew uninstall jq', 'apt-get install -s nginx', 'gem install --user-install rake', 'rpm -qa', 'dpkg -l', 'pacman -Ss htop', 'conda env list', 'conda remove numpy'],
    },
    {
      id: 'packages.unpublish',
      category: 'infrastructure',
      commands: ['npm', 'pnpm', 'yarn', 'cargo', 'gem', 'dotnet', 'nuget', 'twine', 'pypi-cleanup', 'poetry', 'jfrog', 'jf', 'deno', 'jsr', 'hex', 'mix', 'flit', 'helm'],
      when: (c) => {
        const [a, b] = c.pos
        switch (c.name) {
          case 'npm':
          case 'pnpm':
            return a === 'unpublish' || (a === 'dist-tag' && ['rm', 'remove'].includes(b ?? '')) ? `${c.name} ${a} removes a published version` : false
          case 'yarn':
            return (a === 'npm' && b === 'unpublish') || a === 'unpublish'
          case 'cargo':
            return a === 'yank' && !c.has('--undo') && 'cargo yank withdraws a published crate version'
          case 'gem':
            return a === 'yank' && 'gem yank removes a published gem version'
          case 'dotnet':
            return a === 'nuget' && b === 'delete'
          case 'nuget':
            return a === 'delete'
          case 'pypi-cleanup':
            return !c.has('--help') && (c.has('--do-it') || 'pypi-cleanup deletes releases from PyPI')
          case 'jfrog':
          case 'jf':
            return ['rt', 'art'].includes(a ?? '') && ['del', 'delete', 'rbdel'].includes(b ?? '')
          case 'hex':
          case 'mix':
            return /^hex\.(publish|retire|revert)$/.test(a ?? '') && (c.has('--revert') || a === 'hex.retire' || a === 'hex.revert')
          default:
            return false
        }
      },
      reason: 'removes published package versions from a registry',
      examples: ['npm unpublish my-pkg@1.0.0', 'npm unpublish my-pkg --force', 'pnpm unpublish pkg@2.0.0', 'yarn npm unpublish --all', 'cargo yank --version 1.2.3', 'cargo yank mycrate@0.1.0', 'gem yank mygem -v 1.0.0', 'dotnet nuget delete Pkg 1.0.0 -k KEY -s https://api.nuget.org/v3/index.json', 'pypi-cleanup -p mypkg --do-it', 'jf rt del "repo/path/*"', 'mix hex.publish --revert 1.0.0'],
      safeExamples: ['npm publish', 'npm unpublish my-pkg@1.0.0 --dry-run', 'cargo yank --undo --version 1.2.3', 'cargo publish', 'gem push x.gem', 'npm view pkg'],
    },
  ],
}
