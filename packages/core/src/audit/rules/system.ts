/** Disks and system pack: partitioning, wiping, filesystems, block-device writes, truncation of system files, mass kills, crontab removal, shutdowns. */
import type { Cmd, Pack } from './types.js'

/** A block device or raw disk path. */
export const BLOCK_DEVICE = /^\/dev\/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+n\d+(p\d+)?|mmcblk\d+(p\d+)?|disk\d+(s\d+)?|rdisk\d+(s\d+)?|md\d+|dm-\d+|mapper\/.+|loop\d+|sr\d+|root|[a-z]+\/by-(id|uuid|label|path)\/.+|mem|kmem|port)$/

/** Files whose truncation or overwrite breaks the system or destroys user state. */
export function protectedFile(path: string, home?: string): string | null {
  const p = path.replace(/\/+$/, '')
  if (/^\/proc\/sysrq-trigger$/.test(p)) return 'the sysrq trigger (reboots or crashes the kernel)'
  if (/^\/proc\/sys\/kernel\/(sysrq|panic|core_pattern)$/.test(p)) return 'a kernel setting'
  if (/^\/sys\/(power\/state|class\/.+\/brightness$)/.test(p) && p.includes('power/state')) return 'the power state'
  if (/^\/(etc|boot|usr|bin|sbin|lib|lib64|var\/lib)\//.test(p)) return `a system file (${p})`
  const h = home?.replace(/\/+$/, '')
  const inHome = /^(~|\$HOME|\$\{HOME\})\/\.[^/]+$/.test(p) || (h !== undefined && p.startsWith(`${h}/.`) && !p.slice(h.length + 1).includes('/'))
  if (inHome) return `a home dotfile (${p})`
  if (/(^|\/)\.(bash_history|zsh_history|history|sh_history|fish_history|bashrc|zshrc|profile|bash_profile|zprofile|gitconfig)$/.test(p) || /(^|\/)(fish_history)$/.test(p)) return `a shell startup or history file (${p})`
  return null
}

const CRITICAL_PROCS = /^(sshd|systemd|init|launchd|dockerd|containerd|kubelet|Xorg|Xwayland|gnome-shell|WindowServer|loginwindow|Finder|Dock|sddm|gdm|lightdm|kwin_x11|kwin_wayland|plasmashell|explorer\.exe|csrss|lsass)$/

export const system: Pack = {
  name: 'system',
  description: 'disks (partitioning, wiping, filesystems, LVM, ZFS, encryption), block-device writes, /proc triggers, truncation of system files, mass kills, crontab removal, shutdowns, fork bombs',
  valueFlags: {
    parted: ['-a', '--align'],
    wipefs: ['-o', '--offset', '-t', '--types', '-b', '--backup'],
    cryptsetup: ['--type', '--cipher', '-c', '--key-file', '-d', '--key-size', '-s', '--hash', '-h'],
    pkill: ['-u', '--euid', '-U', '--uid', '-g', '--pgroup', '-G', '--group', '-P', '--parent', '-t', '--terminal', '-s', '--session', '--signal', '-F', '--pidfile'],
    killall: ['-u', '--user', '-s', '--signal', '-o', '--older-than', '-y', '--younger-than'],
    truncate: ['-s', '--size', '-r', '--reference'],
    sgdisk: ['-d', '--delete', '-n', '--new', '-t', '--typecode', '-c', '--change-name', '-A', '--attributes', '-R', '--replicate', '-u', '--partition-guid', '-U', '--disk-guid', '-b', '--backup', '-l', '--load-backup'],
    zfs: ['-o', '-t'],
    zpool: ['-o', '-O', '-R'],
    diskutil: [],
    shred: ['-n', '--iterations', '-s', '--size'],
    crontab: ['-u'],
    tee: [],
    watch: ['-n', '--interval', '-d', '--differences', '-q', '--equexit'],
  },
  rules: [
    {
      id: 'system.partition-wipe',
      category: 'disk_system',
      commands: ['sgdisk', 'gdisk', 'parted', 'fdisk', 'sfdisk', 'cfdisk', 'wipefs', 'blkdiscard', 'cryptsetup', 'diskutil', 'zpool', 'zfs', 'lvremove', 'vgremove', 'pvremove', 'lvreduce', 'mdadm', 'mkswap', 'mke2fs', 'newfs', 'badblocks', 'hdparm', 'nvme', 'sg_format', 'format', 'diskpart', 'dmsetup', 'btrfs', 'e2fsck', 'tune2fs', 'flashrom', 'efibootmgr', 'lvresize', 'vgreduce', 'xfs_repair', 'fsck'],
      dryRun: false,
      when: (c) => {
        const p = c.pos
        const dev = p.find((x) => x.startsWith('/dev/')) ?? ''
        switch (c.name) {
          case 'sgdisk':
            return c.has('-Z', '--zap-all', '-z', '--zap', '-o', '--clear', '-d', '--delete', '-n', '--new', '-g', '--mbrtogpt', '-R', '--replicate', '-l', '--load-backup', '-G', '--randomize-guids', '-t', '--typecode') && !c.has('-p', '--print', '-v', '--verify', '-P', '--pretend') && `sgdisk rewrites the partition table of ${dev || 'a disk'}`
          case 'gdisk':
          case 'cfdisk':
          case 'fdisk':
            return !c.has('-l', '--list') && dev !== '' && (c.stdin !== null || c.name !== 'fdisk' || c.xargs) && `${c.name} edits the partition table of ${dev}`
          case 'sfdisk':
            return !c.has('-l', '--list', '-d', '--dump', '-J', '--json', '-s', '--show-size', '-V', '--verify', '-n', '--no-act', '-g', '--show-geometry') && dev !== '' && `sfdisk writes the partition table of ${dev}`
          case 'parted': {
            const cmds = p.filter((x) => !x.startsWith('/dev/'))
            return cmds.some((x) => /^(mklabel|mktable|rm|mkpart|mkpartfs|resizepart|resize|rescue|mkfs)$/.test(x)) && `parted ${cmds.join(' ')} changes the partition table`
          }
          case 'wipefs':
            return c.has('-a', '--all', '-o', '--offset') && !c.has('-n', '--no-act') && `wipefs erases filesystem signatures on ${dev || 'a device'}`
          case 'blkdiscard':
          case 'badblocks':
            return c.name === 'blkdiscard' || c.has('-w')
          case 'cryptsetup':
            return /^(luksFormat|erase|luksErase|luksKillSlot|luksRemoveKey|reencrypt|format|open --type plain)$/.test(p[0] ?? '') && `cryptsetup ${p[0]} destroys encrypted data or its keys`
          case 'diskutil':
            return /^(eraseDisk|eraseVolume|partitionDisk|secureErase|zeroDisk|randomDisk|reformat|eraseVolume|deleteVolume|deleteContainer|deletePartition|splitPartition|mergePartitions|resizeVolume)$/i.test(p[0] ?? '') || ((p[0] === 'apfs' || p[0] === 'ap' || p[0] === 'cs' || p[0] === 'appleRAID' || p[0] === 'ar') && /^(delete|erase|deleteContainer|deleteVolume|deleteVolumeGroup|eraseVolume|resizeContainer|delete)/i.test(p[1] ?? '')) ? `diskutil ${p.slice(0, 2).join(' ')} erases disk data` : false
          case 'zpool':
            return ['destroy', 'labelclear', 'remove', 'detach', 'split', 'offline'].includes(p[0] ?? '') && p[0] !== 'offline' && `zpool ${p[0]} destroys pool data`
          case 'zfs':
            return (p[0] === 'destroy' || (p[0] === 'rollback' && c.has('-r', '-R'))) && !c.has('-n') && `zfs ${p[0]} deletes datasets or snapshots`
          case 'lvremove':
          case 'vgremove':
          case 'pvremove':
          case 'lvreduce':
          case 'vgreduce':
            return !c.has('-t', '--test') && `${c.name} deletes LVM volumes or their data`
          case 'lvresize':
            return c.t.some((x) => /^-L-|^--size=-|^-l-/.test(x)) && 'lvresize shrinks a volume'
          case 'mdadm':
            return c.has('--zero-superblock', '--create', '-C') && 'mdadm rewrites RAID superblocks'
          case 'mkswap':
          case 'mke2fs':
          case 'newfs':
            return (dev !== '' || c.name === 'newfs') && `${c.name} creates a new filesystem on ${dev}`
          case 'hdparm':
            return c.t.some((x) => /^--(security-erase|security-erase-enhanced|trim-sector-ranges|write-sector|fwdownload)/.test(x))
          case 'nvme':
            return ['format', 'sanitize', 'delete-ns', 'detach-ns'].includes(p[0] ?? '')
          case 'sg_format':
          case 'format':
            return c.name === 'sg_format' || /^[A-Za-z]:$/.test(p[0] ?? '')
          case 'diskpart':
            return c.stdin !== null && /\b(clean|format|delete)\b/i.test(c.stdin)
          case 'dmsetup':
            return ['remove', 'remove_all', 'wipe_table'].includes(p[0] ?? '')
          case 'btrfs':
            return (p[0] === 'subvolume' && p[1] === 'delete') || (p[0] === 'device' && p[1] === 'remove') || (p[0] === 'check' && c.has('--repair'))
          case 'flashrom':
            return c.has('-w', '--write', '-E', '--erase')
          case 'efibootmgr':
            return c.has('-B', '--delete-bootnum', '-b') && c.has('-B', '--delete-bootnum')
          case 'e2fsck':
          case 'fsck':
          case 'xfs_repair':
            return c.has('-y') && c.name !== 'xfs_repair' ? false : c.name === 'xfs_repair' && c.has('-L')
          case 'tune2fs':
            return c.has('-O') && c.t.some((x) => /\^has_journal/.test(x))
          default:
            return false
        }
      },
      reason: (c) => `${c.name} erases or repartitions a disk`,
      examples: ['sgdisk --zap-all /dev/sda', 'sgdisk -Z /dev/nvme0n1', 'parted /dev/sdb mklabel gpt', 'parted -s /dev/sdb rm 1', 'wipefs -a /dev/sdb', 'wipefs --all --force /dev/sdc1', 'blkdiscard /dev/nvme0n1', 'cryptsetup luksFormat /dev/sdb1', 'cryptsetup erase /dev/sdb1', 'diskutil eraseDisk APFS Blank disk2', 'diskutil apfs deleteContainer disk3', 'zpool destroy tank', 'zfs destroy -r tank/data', 'lvremove -f vg0/data', 'vgremove vg0', 'pvremove /dev/sdb', 'mdadm --zero-superblock /dev/sdb1', 'mkswap /dev/sda2', 'sfdisk /dev/sda < layout.txt', 'nvme format /dev/nvme0n1', 'btrfs subvolume delete /mnt/@home'],
      safeExamples: ['parted -l', 'parted /dev/sda print', 'fdisk -l', 'sgdisk -p /dev/sda', 'wipefs /dev/sdb', 'wipefs -n -a /dev/sdb', 'sfdisk -d /dev/sda', 'diskutil list', 'zpool status', 'zfs list', 'lvs', 'lvremove --test vg0/data', 'zfs destroy -n tank/x', 'cryptsetup luksDump /dev/sdb1', 'lsblk'],
    },
    {
      id: 'system.mkfs',
      category: 'disk_system',
      commands: ['mkfs', 'mkfs.ext2', 'mkfs.ext3', 'mkfs.ext4', 'mkfs.xfs', 'mkfs.btrfs', 'mkfs.vfat', 'mkfs.fat', 'mkfs.ntfs', 'mkfs.exfat', 'mkfs.f2fs', 'mkfs.minix', 'mkfs.msdos', 'mkntfs', 'mkdosfs', 'mkfs.bfs', 'mkfs.cramfs', 'mkfs.jfs', 'mkfs.reiserfs', 'mkfs.zfs'],
      dryRun: false,
      when: (c) => {
        const target = c.pos[c.pos.length - 1] ?? ''
        // A filesystem on an ordinary image file is how disk images are built: not flagged.
        if (!target.startsWith('/dev/') && target !== '' && !target.includes('$')) return false
        if (c.has('-n') && c.name.includes('ext')) return false
        return `${c.name} creates a new filesystem on ${target || 'a device'}, erasing it`
      },
      reason: 'mkfs creates a new filesystem, erasing the device',
      examples: ['mkfs.ext4 /dev/sdb1', 'mkfs -t xfs /dev/sdc', 'sudo mkfs.vfat -F 32 /dev/mmcblk0p1', 'mkfs.btrfs -f /dev/nvme1n1', 'mkfs.ext4 "$DEV"'],
      safeExamples: ['mkfs.ext4 disk.img', 'mkfs.ext4 -F rootfs.img', 'mkfs.vfat -C boot.img 65536', 'mkfs.ext4 -n /dev/sdb1'],
    },
    {
      id: 'system.dd-device',
      category: 'disk_system',
      commands: ['dd', 'ddrescue', 'dcfldd', 'dc3dd', 'pv', 'cp', 'cat', 'tee', 'shred', 'scrub'],
      dryRun: false,
      when: (c) => {
        if (c.name === 'dd' || c.name === 'dcfldd' || c.name === 'dc3dd') {
          const of = c.t.find((x) => x.startsWith('of='))?.slice(3)
          return of !== undefined && (/^\/dev\//.test(of) ? !/^\/dev\/(null|zero|stdout|stderr|fd\/\d+|tty|random|urandom)$/.test(of) : protectedFile(of, c.ctx.home) !== null) && `${c.name} writes raw data to ${of}${of.startsWith('/dev/') ? ' (a device)' : ''}`
        }
        if (c.name === 'ddrescue') return c.pos.length >= 2 && BLOCK_DEVICE.test(c.pos[1]!) && `ddrescue overwrites ${c.pos[1]}`
        if (c.name === 'shred' || c.name === 'scrub') {
          const dev = c.pos.find((x) => x.startsWith('/dev/'))
          return c.pos.length > 0 && (dev ? `${c.name} overwrites the device ${dev}` : `${c.name} overwrites ${c.pos.join(' ')} beyond recovery`)
        }
        if (c.name === 'cp' || c.name === 'pv') return c.pos.length >= 2 && BLOCK_DEVICE.test(c.pos[c.pos.length - 1]!) && `${c.name} writes onto the device ${c.pos[c.pos.length - 1]}`
        if (c.name === 'tee') return c.pos.some((x) => BLOCK_DEVICE.test(x) || protectedFile(x, c.ctx.home)?.includes('sysrq')) && `tee writes onto ${c.pos.join(' ')}`
        return false
      },
      reason: 'writes raw data onto a device',
      examples: ['dd if=/dev/zero of=/dev/sda bs=1M', 'dd if=image.iso of=/dev/disk2', 'sudo dd if=/dev/urandom of=/dev/nvme0n1 status=progress', 'shred -vzn 3 /dev/sdb', 'shred -u secrets.txt', 'cp disk.img /dev/sdb', 'echo 1 | sudo tee /dev/sda', 'ddrescue -f /dev/zero /dev/sdc', 'dd if=/dev/zero of=/etc/passwd'],
      safeExamples: ['dd if=/dev/zero of=disk.img bs=1M count=64', 'dd if=/dev/zero of=/dev/null bs=1M count=100', 'dd if=/dev/sda bs=512 count=1 | xxd', 'dd if=/dev/sda of=backup.img', 'cp a.txt b.txt', 'echo hi | tee out.log'],
    },
    {
      id: 'system.redirect-onto-device',
      category: 'disk_system',
      commands: [],
      reason: 'a redirection writes onto a block device, a kernel trigger or truncates a system file',
      examples: ['echo b > /proc/sysrq-trigger', 'sudo sh -c "echo c > /proc/sysrq-trigger"', 'cat /dev/zero > /dev/sda', ': > ~/.bash_history', '> ~/.zshrc', 'echo "" > /etc/hosts', 'cat /dev/null > /etc/passwd', 'printf x >| /dev/nvme0n1'],
      safeExamples: ['echo hi > out.txt', ': > build.log', 'cat x > /dev/null', 'echo hi >> ~/.bashrc', 'cmd 2>/dev/null', 'echo hi > /tmp/x'],
    },
    {
      id: 'system.truncate',
      category: 'disk_system',
      commands: ['truncate'],
      dryRun: false,
      when: (c) => {
        const size = c.value('-s', '--size') ?? ''
        if (!/^(0+[KMGkmg]?|-\d+\w*|<\d+\w*)$/.test(size) && !c.has('-r', '--reference')) return false
        const hit = c.pos.map((x) => protectedFile(x, c.ctx.home) ?? (BLOCK_DEVICE.test(x) ? `a device (${x})` : null)).find((x) => x !== null)
        return hit ? `truncate -s ${size} empties ${hit}` : false
      },
      reason: 'truncate -s 0 empties a system or history file',
      examples: ['truncate -s 0 ~/.bash_history', 'truncate -s 0 /etc/passwd', 'sudo truncate --size=0 /var/lib/dpkg/status', 'truncate -s0 ~/.zsh_history'],
      safeExamples: ['truncate -s 0 app.log', 'truncate -s 10M disk.img', 'truncate -s 0 logs/debug.log'],
    },
    {
      id: 'system.mass-kill',
      category: 'disk_system',
      commands: ['kill', 'pkill', 'killall', 'killall5', 'skill', 'slay', 'taskkill'],
      dryRun: false,
      when: (c) => {
        const t = c.t
        if (c.name === 'kill') {
          const all = t.includes('-1') || (t.includes('--') && t[t.indexOf('--') + 1] === '-1') || c.pos.includes('0')
          return all && `kill ${t.join(' ')} signals every process of the user`
        }
        if (c.name === 'killall5') return true
        if (c.name === 'taskkill') return c.t.some((x) => /^\/fi$/i.test(x)) && c.t.some((x) => /^\/f$/i.test(x))
        const user = c.value('-u', '--euid', '-U', '--uid', '--user')
        const pats = c.pos.filter((x) => !/^-\w+$/.test(x))
        if (user !== undefined && pats.length === 0) return `${c.name} -u ${user} kills every process of ${user}`
        if (c.name === 'pkill' && pats.some((x) => /^(\.\*?|\.\+|\^|\$|)$/.test(x)) && (c.has('-f', '--full') || pats.some((x) => x === '.'))) return `pkill ${pats.join(' ')} matches every process`
        if (c.name === 'killall' && (c.has('-r', '--regexp') && pats.some((x) => /^(\.\*?|\.\+)$/.test(x)))) return 'killall -r . matches every process'
        const crit = pats.find((x) => CRITICAL_PROCS.test(x))
        if (crit) return `${c.name} ${crit} kills a system-critical process`
        return false
      },
      reason: 'kills every process',
      examples: ['kill -9 -1', 'kill -KILL -1', 'kill -s KILL -1', 'kill -- -1', 'pkill -9 -u $USER', 'pkill -KILL -u dev', 'pkill -f .', 'killall -u bob', 'killall5 -9', 'sudo killall sshd', 'pkill -9 dockerd'],
      safeExamples: ['kill -9 1234', 'kill 1234', 'pkill -f "node server.js"', 'killall node', 'pkill -u dev vim', 'pgrep -u root'],
    },
    {
      id: 'system.crontab-remove',
      category: 'disk_system',
      commands: ['crontab'],
      dryRun: false,
      when: (c) => {
        if (c.short.has('r')) return 'crontab -r deletes the whole crontab'
        const file = c.pos[0]
        if (file === '/dev/null') return 'crontab /dev/null replaces the crontab with nothing'
        if ((file === '-' || file === undefined) && !c.has('-l', '-e') && c.stdin !== null && c.stdin.trim() === '') return 'an empty crontab replaces every entry'
        return false
      },
      reason: 'crontab -r deletes the whole crontab',
      examples: ['crontab -r', 'crontab -ri', 'sudo crontab -r -u www-data', 'crontab -u bob -r', 'crontab /dev/null', 'echo "" | crontab -', 'echo -n | crontab -', 'crontab - <<< ""'],
      safeExamples: ['crontab -l', 'crontab -e', 'crontab mycron.txt', '(crontab -l; echo "0 * * * * x") | crontab -'],
    },
    {
      id: 'system.shutdown',
      category: 'disk_system',
      commands: ['shutdown', 'reboot', 'halt', 'poweroff', 'init', 'telinit', 'systemctl', 'launchctl', 'service', 'sysctl', 'rc-service', 'pmset'],
      dryRun: false,
      when: (c) => {
        const t = c.t
        const v = c.pos[0] ?? ''
        switch (c.name) {
          case 'shutdown':
            return !c.has('-c', '-k') && `shutdown stops the machine`
          case 'reboot':
          case 'halt':
          case 'poweroff':
            return !c.has('--help', '-w', '--wtmp-only') && `${c.name} stops the machine`
          case 'init':
          case 'telinit':
            return (t[0] === '0' || t[0] === '6' || t[0] === '1') && `${c.name} ${t[0]} halts, reboots or drops to single user`
          case 'systemctl':
            return ['stop', 'disable', 'mask', 'kill', 'poweroff', 'reboot', 'halt', 'kexec', 'rescue', 'emergency', 'isolate', 'suspend', 'hibernate', 'soft-reboot'].includes(v) && `systemctl ${v} stops or disables system services`
          case 'launchctl':
            return ['unload', 'bootout', 'remove', 'disable', 'kill', 'reboot'].includes(v) && `launchctl ${v} stops system services`
          case 'service':
            return c.pos[1] === 'stop' && `service ${v} stop`
          case 'rc-service':
            return c.pos[1] === 'stop'
          case 'sysctl':
            return t.some((x) => /kernel\.(sysrq|panic)=/.test(x))
          case 'pmset':
            return ['sleepnow', 'restoredefaults'].includes(v)
          default:
            return false
        }
      },
      reason: 'stops the machine or system services',
      examples: ['sudo shutdown -h now', 'reboot', 'halt', 'poweroff', 'init 0', 'sudo -i reboot', 'systemctl reboot', 'sudo systemctl stop nginx', 'systemctl disable docker', 'launchctl bootout system/com.x', 'service postgresql stop'],
      safeExamples: ['systemctl status nginx', 'systemctl restart nginx', 'shutdown -c', 'service nginx status', 'uptime', 'systemctl list-units'],
    },
    {
      id: 'system.fork-bomb',
      category: 'disk_system',
      commands: [],
      reason: 'fork bomb',
      examples: [':(){ :|:& };:', 'bomb() { bomb | bomb & }; bomb'],
      safeExamples: ['f() { echo hi; }; f'],
    },
  ],
}

export function isDevice(c: Cmd, x: string): boolean {
  void c
  return BLOCK_DEVICE.test(x)
}
