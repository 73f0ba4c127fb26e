/** Containers pack: prunes, forced removals and volume deletion (docker, podman, nerdctl, compose, crictl). */
import type { Pack } from './types.js'

const DOCKERS = ['docker', 'podman', 'nerdctl', 'finch', 'lima-nerdctl']

export const containers: Pack = {
  name: 'containers',
  description: 'docker/podman/nerdctl prunes, rm -f, rmi -f, volume rm, compose down -v',
  valueFlags: Object.fromEntries(
    [...DOCKERS, 'docker-compose'].map((d) => [d, ['-H', '--host', '--context', '-c', '--config', '--log-level', '-l', '-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile', '--filter', '--format', '--timeout', '-t']]),
  ),
  rules: [
    {
      id: 'containers.prune',
      category: 'infrastructure',
      commands: [...DOCKERS, 'crictl'],
      when: (c) => {
        const [a, b] = c.pos
        if (c.name === 'crictl') return (a === 'rmi' && c.has('--prune', '-a', '--all')) || (a === 'rm' && c.has('-a', '--all', '-f', '--force'))
        if (a === 'system' && b === 'prune') return `${c.name} system prune deletes unused containers, images and networks${c.has('--volumes') ? ' and volumes' : ''}`
        if ((a === 'volume' || a === 'volumes') && ['rm', 'remove', 'prune', 'delete'].includes(b ?? '')) return `${c.name} volume ${b} deletes volume data`
        if (['container', 'image', 'network', 'builder', 'buildx', 'pod'].includes(a ?? '') && b === 'prune') return `${c.name} ${a} prune deletes unused ${a}s`
        if (a === 'buildx' && b === 'prune') return true
        return false
      },
      reason: 'docker prune deletes containers, images or volumes',
      examples: ['docker system prune -af', 'sudo docker system prune', 'docker system prune --volumes -f', 'docker volume rm pgdata', 'docker volume prune -f', 'podman volume rm -a', 'docker image prune -a', 'docker container prune -f', 'docker builder prune --all', 'nerdctl system prune', 'crictl rmi --prune'],
      safeExamples: ['docker ps', 'docker volume ls', 'docker image ls', 'docker system df', 'docker volume inspect pgdata'],
    },
    {
      id: 'containers.forced-removal',
      category: 'infrastructure',
      commands: DOCKERS,
      when: (c) => {
        const [a, b] = c.pos
        const force = c.has('-f', '--force')
        if ((a === 'rm' || (a === 'container' && (b === 'rm' || b === 'remove'))) && (force || c.has('-v', '--volumes'))) return `${c.name} rm ${force ? '-f kills and removes running containers' : '-v deletes the containers\' volumes'}`
        if ((a === 'rmi' || (a === 'image' && (b === 'rm' || b === 'remove'))) && force) return `${c.name} rmi -f force-removes images`
        if (a === 'kill' && c.t.some((x) => x.includes('$(') && x.includes(' ps'))) return `${c.name} kill of every container`
        return false
      },
      reason: 'forced container/image removal',
      examples: ['docker rm -f $(docker ps -aq)', 'docker rm -f web', 'docker container rm --force db', 'docker rmi -f $(docker images -q)', 'podman rm -fa', 'docker rm -v pg', 'docker image rm --force app:latest'],
      safeExamples: ['docker rm old-container', 'docker rmi app:old', 'docker stop web', 'docker ps -aq'],
    },
    {
      id: 'containers.compose-down-volumes',
      category: 'infrastructure',
      commands: [...DOCKERS, 'docker-compose', 'podman-compose'],
      when: (c) => {
        const composeDown = ((c.name === 'docker-compose' || c.name === 'podman-compose') && c.pos[0] === 'down') || (c.pos[0] === 'compose' && c.pos.includes('down'))
        if (composeDown) return c.has('-v', '--volumes') && 'compose down -v deletes volume data'
        const composeRm = ((c.name === 'docker-compose' || c.name === 'podman-compose') && c.pos[0] === 'rm') || (c.pos[0] === 'compose' && c.pos[1] === 'rm')
        return composeRm && c.has('-v', '--volumes') && c.has('-f', '--force') && 'compose rm -fv deletes anonymous volumes'
      },
      reason: 'compose down -v deletes volume data',
      examples: ['docker compose down -v', 'docker-compose down --volumes', 'docker compose -f prod.yml down -v --remove-orphans', 'podman-compose down -v', 'docker compose rm -fsv'],
      safeExamples: ['docker compose down', 'docker compose up -d', 'docker-compose down --remove-orphans', 'docker compose ps'],
    },
  ],
}
