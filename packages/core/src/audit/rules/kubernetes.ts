/** Kubernetes pack: deleting objects (namespaces, volumes, workloads), drains, forced replaces, release and cluster teardown. */
import type { Pack } from './types.js'

const POD = /^(pods?|po)(\/|$)/

export const kubernetes: Pack = {
  name: 'kubernetes',
  description: 'kubectl/oc delete, drain, replace --force, apply --prune; helm, argocd, flux, kind, minikube, k3d teardown',
  valueFlags: {
    kubectl: ['-n', '--namespace', '--context', '--cluster', '--kubeconfig', '-l', '--selector', '-o', '--output', '-f', '--filename', '-k', '--kustomize', '--user', '-c', '--container', '--field-selector', '--timeout', '-s', '--server', '--token', '--as', '--grace-period', '--cascade'],
    oc: ['-n', '--namespace', '--context', '--cluster', '--kubeconfig', '-l', '--selector', '-o', '--output', '-f', '--filename', '-k', '--user', '-c', '--container', '--field-selector', '--timeout', '-s', '--server', '--token', '--as', '--grace-period'],
    helmfile: ['-e', '--environment', '-f', '--file', '-l', '--selector', '-n', '--namespace'],
    helm: ['-n', '--namespace', '--kube-context', '--kubeconfig', '-o', '--output', '--timeout'],
    argocd: ['--server', '--auth-token', '-o', '--grpc-web-root-path'],
    flux: ['-n', '--namespace', '--context', '--kubeconfig'],
  },
  rules: [
    {
      id: 'kubernetes.delete',
      category: 'infrastructure',
      commands: ['kubectl', 'oc', 'kubecolor'],
      sub: ['delete'],
      when: (c) => {
        const kinds = c.pos.slice(1)
        const all = c.has('--all', '-A', '--all-namespaces')
        if (c.has('-f', '--filename', '-k', '--kustomize')) return 'kubectl delete -f deletes every object in the manifests'
        const kind = kinds[0] ?? ''
        if (/^(namespaces?|ns|project)(\/|$)/.test(kind)) return `kubectl delete ${kind} deletes a namespace and everything in it`
        if (kind.split(',').every((x) => POD.test(x))) return all && 'kubectl delete pods --all deletes every matching pod'
        return `kubectl delete ${kinds.join(' ')}${all ? ' --all' : ''}`
      },
      reason: 'kubectl delete deletes cluster objects',
      examples: ['kubectl delete ns dev', 'kubectl delete ns/dev', 'kubectl -n prod delete pods --all', 'kubectl delete pvc data-postgres-0', 'kubectl delete pv pv-1', 'kubectl delete deployment web -n prod', 'kubectl delete -f k8s/', 'kubectl delete secret db-creds', 'kubectl --context prod delete statefulset kafka', 'kubectl delete all --all -n staging', 'oc delete project demo', 'kubectl delete crd certificates.cert-manager.io'],
      safeExamples: ['kubectl get pods', 'kubectl delete pod web-123', 'kubectl delete pods -l app=web', 'kubectl delete ns dev --dry-run=client', 'kubectl delete -f app.yaml --dry-run=server', 'kubectl describe pvc data', 'kubectl get ns'],
    },
    {
      id: 'kubernetes.drain-replace-prune',
      category: 'infrastructure',
      commands: ['kubectl', 'oc'],
      when: (c) => {
        const v = c.pos[0]
        if (v === 'drain') return c.has('--delete-emptydir-data', '--delete-local-data', '--force', '--disable-eviction') && 'kubectl drain --delete-emptydir-data/--force evicts pods and deletes their local data'
        if (v === 'replace') return c.has('--force') && 'kubectl replace --force deletes and recreates objects'
        if (v === 'apply') return c.has('--prune') && 'kubectl apply --prune deletes objects missing from the manifests'
        if (v === 'scale') return /^--replicas=0$/.test(c.t.find((x) => x.startsWith('--replicas=')) ?? '') && c.has('--all') && 'kubectl scale --replicas=0 --all stops every workload'
        return false
      },
      reason: 'kubectl drain/replace --force/apply --prune deletes objects',
      examples: ['kubectl drain node-1 --ignore-daemonsets --delete-emptydir-data', 'kubectl drain n2 --force', 'kubectl replace --force -f pod.yaml', 'kubectl apply --prune -l app=x -f dir/'],
      safeExamples: ['kubectl apply -f app.yaml', 'kubectl drain node-1 --ignore-daemonsets', 'kubectl replace -f pod.yaml', 'kubectl apply --prune -f d/ --dry-run=server'],
    },
    {
      id: 'kubernetes.helm-uninstall',
      category: 'infrastructure',
      commands: ['helm', 'helm3', 'helmfile'],
      when: (c) => ['uninstall', 'delete', 'del', 'un', 'destroy'].includes(c.pos[0] ?? '') && `${c.name} ${c.pos[0]} removes releases`,
      reason: 'helm uninstall removes a release',
      examples: ['helm uninstall my-release', 'helm delete --purge old', 'helm -n prod un api', 'helmfile destroy', 'helmfile -e prod delete'],
      safeExamples: ['helm list', 'helm upgrade --install x ./chart', 'helm uninstall x --dry-run', 'helmfile diff'],
    },
    {
      id: 'kubernetes.cluster-teardown',
      category: 'infrastructure',
      commands: ['kind', 'minikube', 'k3d', 'argocd', 'flux', 'istioctl', 'k0s', 'microk8s', 'linkerd', 'kubeadm'],
      when: (c) => {
        const p = c.pos
        if (c.name === 'kind') return p[0] === 'delete'
        if (c.name === 'minikube') return p[0] === 'delete'
        if (c.name === 'k3d') return (p[0] === 'cluster' || p[0] === 'registry') && p[1] === 'delete'
        if (c.name === 'argocd') return (p[1] === 'delete' && ['app', 'proj', 'cluster', 'repo', 'appset'].includes(p[0] ?? ''))
        if (c.name === 'flux') return p[0] === 'delete' || p[0] === 'uninstall'
        if (c.name === 'istioctl' || c.name === 'linkerd') return p[0] === 'uninstall' || (p[0] === 'x' && p[1] === 'uninstall')
        if (c.name === 'kubeadm') return p[0] === 'reset'
        if (c.name === 'k0s' || c.name === 'microk8s') return p[0] === 'reset' || p[0] === 'remove'
        return false
      },
      reason: (c) => `${c.name} ${c.pos.slice(0, 2).join(' ')} tears down a cluster or its applications`,
      examples: ['kind delete cluster --name dev', 'minikube delete --all', 'k3d cluster delete local', 'argocd app delete guestbook', 'flux uninstall --silent', 'istioctl uninstall --purge', 'kubeadm reset -f'],
      safeExamples: ['kind get clusters', 'minikube status', 'argocd app list', 'flux get kustomizations', 'k3d cluster list', 'kubeadm reset --dry-run'],
    },
  ],
}
