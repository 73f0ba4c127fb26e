/** Cloud pack: deleting cloud resources with aws, gcloud/gsutil, az and the other provider CLIs. */
import type { Cmd, Pack } from './types.js'

const READ_VERBS = /^(list|ls|describe|get|show|read|help|wait|export|print-.*|tail|logs|cat|du|stat)$/
const DELETE_VERB = /^(delete|destroy|purge|rm|rb|remove|terminate|erase|wipe|Delete[A-Z]\w*|Terminate[A-Z]\w*|Remove[A-Z]\w*|Purge[A-Z]\w*|(delete|terminate|purge|destroy|remove|deregister)-[\w-]+|[\w-]+-delete|batch-delete-[\w-]+|schedule-key-deletion|close-account)$/

/** The first delete-like verb of a command path (`compute instances delete NAME`), unless a read verb comes first. */
function deleteVerb(c: Cmd, limit = 6): string | null {
  for (const p of c.pos.slice(0, limit)) {
    if (READ_VERBS.test(p)) return null
    if (DELETE_VERB.test(p)) return p
    if (!/^[A-Za-z][\w-]*$/.test(p)) return null
  }
  return null
}

const AWS_DELETE = /^(delete|terminate|purge|remove|deregister|destroy|batch-delete|close|schedule-key-deletion|empty)(-|$)/

export const cloud: Pack = {
  name: 'cloud',
  description: 'aws, gcloud, gsutil, az and other provider CLIs: delete/destroy/purge/terminate/remove verbs',
  valueFlags: {
    aws: ['--profile', '--region', '--output', '--endpoint-url', '--query', '--color', '--ca-bundle', '--cli-read-timeout', '--cli-connect-timeout', '--bucket', '--key', '--instance-ids', '--stack-name', '--db-instance-identifier', '--table-name', '--function-name', '--cluster', '--name', '--include', '--exclude'],
    gcloud: ['--project', '--zone', '--region', '--format', '--account', '--configuration', '--impersonate-service-account', '--verbosity', '--filter', '--location', '--instance', '--cluster'],
    gsutil: ['-o', '-h', '-u', '-p'],
    az: ['--subscription', '--resource-group', '-g', '--name', '-n', '--output', '-o', '--query', '--account-name', '--container-name', '-c', '--source', '-s', '--pattern', '--location', '-l'],
    doctl: ['--context', '-t', '--access-token', '-o', '--output', '--format'],
    hcloud: ['--context', '-o'],
    openstack: ['--os-cloud', '--os-project-name', '-f', '-c'],
  },
  rules: [
    {
      id: 'cloud.aws-delete',
      category: 'infrastructure',
      commands: ['aws', 'awslocal'],
      when: (c) => {
        const [svc, verb] = c.pos
        if (!svc || !verb) return false
        if (svc === 's3') {
          if (verb === 'rm') return `aws s3 rm ${c.has('--recursive') ? '--recursive deletes every object under the prefix' : 'deletes objects'}`
          if (verb === 'rb') return 'aws s3 rb deletes a bucket'
          if ((verb === 'sync' || verb === 'mv') && c.has('--delete')) return 'aws s3 sync --delete deletes remote objects missing locally'
          return false
        }
        return AWS_DELETE.test(verb) && `aws ${svc} ${verb}`
      },
      reason: 'aws deletes cloud resources',
      examples: ['aws s3 rm s3://bucket/ --recursive', 'aws s3 rb s3://bucket --force', 'aws s3 sync . s3://b --delete', 'aws ec2 terminate-instances --instance-ids i-1', 'aws rds delete-db-instance --db-instance-identifier prod --skip-final-snapshot', 'aws dynamodb delete-table --table-name Users', 'aws --profile prod --region eu-west-1 cloudformation delete-stack --stack-name app', 'aws sqs purge-queue --queue-url https://q', 'aws kms schedule-key-deletion --key-id k', 'aws ecr batch-delete-image --repository-name r --image-ids imageTag=x', 'aws iam remove-user-from-group --user-name u --group-name g', 'aws lambda delete-function --function-name f', 'aws s3api delete-bucket --bucket b', 'aws ec2 deregister-image --image-id ami-1', 'awslocal s3 rb s3://x --force'],
      safeExamples: ['aws s3 ls s3://bucket', 'aws s3 cp file s3://b/', 'aws ec2 describe-instances', 'aws ec2 terminate-instances --instance-ids i-1 --dry-run', 'aws s3 rm s3://b/ --recursive --dryrun', 'aws s3 sync . s3://b', 'aws rds describe-db-instances', 'aws cloudformation deploy --template-file t.yml --stack-name s'],
    },
    {
      id: 'cloud.gcloud-delete',
      category: 'infrastructure',
      commands: ['gcloud'],
      when: (c) => {
        if (c.pos[0] === 'storage' && ['rm', 'rb'].includes(c.pos[1] ?? '')) return `gcloud storage ${c.pos[1]} deletes objects`
        if (c.pos[0] === 'storage' && c.pos[1] === 'rsync' && c.has('--delete-unmatched-destination-objects')) return 'gcloud storage rsync deletes unmatched destination objects'
        const v = deleteVerb(c)
        return v !== null && !['rm', 'rb'].includes(v) && `gcloud ${c.pos.slice(0, c.pos.indexOf(v) + 1).join(' ')}`
      },
      reason: 'gcloud deletes cloud resources',
      examples: ['gcloud projects delete my-proj', 'gcloud compute instances delete vm-1 --zone us-central1-a', 'gcloud container clusters delete prod --quiet', 'gcloud sql instances delete db1', 'gcloud storage rm -r gs://bucket', 'gcloud --project p run services delete api', 'gcloud functions delete fn', 'gcloud secrets delete token', 'gcloud pubsub topics delete t', 'gcloud storage buckets delete gs://b'],
      safeExamples: ['gcloud compute instances list', 'gcloud projects describe p', 'gcloud sql instances list --format json', 'gcloud config set project p', 'gcloud logging read "delete"'],
    },
    {
      id: 'cloud.gsutil-delete',
      category: 'infrastructure',
      commands: ['gsutil'],
      dryRun: 'n',
      when: (c) => {
        const v = c.pos[0]
        if (v === 'rm' || v === 'rb') return `gsutil ${v} deletes ${v === 'rb' ? 'a bucket' : 'objects'}`
        if (v === 'rsync' && c.short.has('d')) return 'gsutil rsync -d deletes destination objects missing from the source'
        return false
      },
      reason: 'gsutil deletes objects',
      examples: ['gsutil rm -r gs://bucket/**', 'gsutil -m rm -r gs://b', 'gsutil rb gs://old', 'gsutil rsync -d -r ./site gs://www', 'gsutil -o "GSUtil:parallel_thread_count=8" rm gs://b/o'],
      safeExamples: ['gsutil ls gs://b', 'gsutil cp x gs://b/', 'gsutil rsync -r ./site gs://www', 'gsutil rsync -n -d -r a gs://b'],
    },
    {
      id: 'cloud.az-delete',
      category: 'infrastructure',
      commands: ['az'],
      when: (c) => {
        for (const p of c.pos.slice(0, 5)) {
          if (READ_VERBS.test(p)) return false
          if (p === 'delete' || p === 'purge' || /^delete-/.test(p) || p === 'remove-batch') return `az ${c.pos.slice(0, c.pos.indexOf(p) + 1).join(' ')}`
          if (!/^[a-z][\w-]*$/.test(p)) return false
        }
        return false
      },
      reason: 'az deletes Azure resources',
      examples: ['az group delete --name rg --yes', 'az storage blob delete-batch --source c --account-name a', 'az vm delete -g rg -n vm1 --yes', 'az keyvault purge --name kv', 'az aks delete -g rg -n k8s', 'az sql db delete -g rg -s srv -n db', 'az storage account delete -n acct'],
      safeExamples: ['az group list', 'az vm show -g rg -n vm', 'az storage blob list -c c', 'az storage blob delete-batch --source c --dryrun', 'az deployment group create -g rg -f main.bicep --what-if'],
    },
    {
      id: 'cloud.provider-cli-delete',
      category: 'infrastructure',
      commands: ['doctl', 'hcloud', 'linode-cli', 'oci', 'ibmcloud', 'scw', 'exo', 'vultr-cli', 'civo', 'openstack', 'aliyun', 'upctl', 'tccli', 'eksctl', 'ovhcloud', 'exoscale', 'gcloud-alpha', 'cf'],
      when: (c) => {
        const v = deleteVerb(c)
        if (v) return `${c.name} ${c.pos.slice(0, c.pos.indexOf(v) + 1).join(' ')}`
        return c.name === 'cf' && ['delete', 'delete-space', 'delete-org', 'purge-service-offering'].includes(c.pos[0] ?? '')
      },
      reason: 'deletes cloud resources',
      examples: ['doctl compute droplet delete web-1 --force', 'hcloud server delete app', 'linode-cli linodes delete 123', 'oci compute instance terminate --instance-id x', 'openstack server delete vm', 'openstack volume delete data', 'eksctl delete cluster --name prod', 'scw instance server delete 11111', 'aliyun ecs DeleteInstance --InstanceId i-1', 'civo kubernetes remove k1', 'cf delete my-app -f'],
      safeExamples: ['doctl compute droplet list', 'hcloud server describe app', 'openstack server list', 'eksctl get cluster', 'eksctl delete cluster --name prod --dry-run'],
    },
  ],
}
