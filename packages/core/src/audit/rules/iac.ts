/** Infrastructure as code pack: terraform/tofu/terragrunt/cdk/cdktf/pulumi/serverless destroys and unattended applies. */
import type { Cmd, Pack } from './types.js'

const auto = (c: Cmd): boolean => c.t.some((x) => /^--?(auto-approve|yes|y|skip-preview|force|non-interactive|require-approval=never)(=true)?$/.test(x))

export const iac: Pack = {
  name: 'iac',
  description: 'terraform/tofu/terragrunt/cdk/cdktf/pulumi/serverless/sam destroys, state removal, unattended applies',
  valueFlags: {
    terraform: ['-chdir', '-var', '-var-file', '-target', '-state', '-lock-timeout', '-parallelism'],
    tofu: ['-chdir', '-var', '-var-file', '-target', '-state'],
    terragrunt: ['--terragrunt-working-dir', '--working-dir', '--terragrunt-config', '-var', '-var-file'],
    pulumi: ['-s', '--stack', '-C', '--cwd', '--config-file'],
    cdk: ['-a', '--app', '--profile', '-c', '--context'],
    serverless: ['--stage', '-s', '--region', '-r', '--aws-profile', '--config', '-c'],
    sls: ['--stage', '-s', '--region', '-r', '--aws-profile', '--config', '-c'],
    sam: ['--stack-name', '--region', '--profile', '--config-env'],
  },
  rules: [
    {
      id: 'iac.destroy',
      category: 'infrastructure',
      commands: ['terraform', 'tofu', 'terragrunt', 'pulumi', 'cdk', 'cdktf', 'serverless', 'sls', 'sam', 'copilot', 'sst', 'amplify', 'cdk8s', 'terramate', 'atmos', 'azd', 'ansible-playbook'],
      when: (c) => {
        const p = c.pos
        const i = p.findIndex((x) => ['destroy', 'remove', 'delete', 'down'].includes(x))
        if (c.name === 'terragrunt' || c.name === 'terramate' || c.name === 'atmos') return i >= 0 && i <= 3 && `${c.name} ${p.slice(0, i + 1).join(' ')} tears down managed infrastructure`
        if (c.name === 'pulumi' && p[0] === 'stack' && p[1] === 'rm') return 'pulumi stack rm deletes a stack and its history'
        if (c.name === 'pulumi' && p[0] === 'state' && p[1] === 'delete') return 'pulumi state delete drops a resource from the state'
        if (['copilot'].includes(c.name)) return p[1] === 'delete' && `copilot ${p[0]} delete`
        if (c.name === 'amplify') return p[0] === 'delete' || (p[1] === 'remove')
        if (c.name === 'azd') return p[0] === 'down'
        if (c.name === 'ansible-playbook') return false
        if (c.name === 'sst') return p[0] === 'remove'
        if (c.name === 'serverless' || c.name === 'sls') return p[0] === 'remove'
        if (c.name === 'sam') return p[0] === 'delete'
        return p[0] === 'destroy' && `${c.name} destroy tears down managed infrastructure`
      },
      reason: (c) => `${c.name} ${c.pos.slice(0, 2).join(' ')} tears down infrastructure`,
      examples: ['terraform destroy', 'terraform destroy -auto-approve', 'terraform -chdir=infra destroy -target=aws_db_instance.main', 'tofu destroy', 'terragrunt destroy', 'terragrunt run-all destroy --terragrunt-non-interactive', 'terragrunt run --all destroy', 'pulumi destroy --yes', 'pulumi stack rm prod --force', 'cdk destroy --all --force', 'cdktf destroy', 'serverless remove --stage prod', 'sls remove', 'sam delete --stack-name app --no-prompts', 'copilot app delete', 'azd down --purge --force', 'sst remove --stage production'],
      safeExamples: ['terraform plan', 'terraform plan -destroy', 'terraform init', 'terragrunt run-all plan', 'pulumi preview', 'cdk diff', 'cdk synth', 'serverless deploy', 'terraform show'],
    },
    {
      id: 'iac.unattended-apply',
      category: 'infrastructure',
      commands: ['terraform', 'tofu', 'terragrunt', 'pulumi', 'cdk', 'cdktf'],
      when: (c) => {
        const p = c.pos
        const verb = p.find((x) => ['apply', 'up', 'deploy', 'update'].includes(x))
        if (!verb) return false
        if (c.t.includes('-destroy') || c.t.includes('--destroy')) return `${c.name} ${verb} -destroy tears down managed infrastructure`
        // A saved plan file is the reviewed plan: applying it is not unattended.
        if (c.name !== 'pulumi' && c.name !== 'cdk' && c.name !== 'cdktf' && p.length > p.indexOf(verb) + 1 && /\.(tfplan|plan|out)$|plan/.test(p[p.indexOf(verb) + 1]!)) return false
        return auto(c) && `${c.name} ${verb} without a confirmation prompt`
      },
      reason: 'apply without a confirmation prompt',
      examples: ['terraform apply -auto-approve', 'terraform apply -destroy', 'tofu apply --auto-approve', 'terragrunt run-all apply --auto-approve', 'pulumi up --yes', 'pulumi up -y --skip-preview', 'cdk deploy --require-approval=never'],
      safeExamples: ['terraform apply', 'terraform apply tfplan', 'terraform apply -auto-approve plan.out', 'pulumi up', 'pulumi preview --diff', 'cdk deploy'],
    },
    {
      id: 'iac.state-removal',
      category: 'infrastructure',
      commands: ['terraform', 'tofu', 'terragrunt'],
      when: (c) => {
        const p = c.pos
        if (p[0] === 'state' && (p[1] === 'rm' || p[1] === 'push')) return `${c.name} state ${p[1]} changes the state behind the infrastructure`
        if (p[0] === 'workspace' && p[1] === 'delete') return `${c.name} workspace delete drops a workspace and its state`
        if (p[0] === 'force-unlock') return `${c.name} force-unlock removes a state lock held by another run`
        return false
      },
      reason: 'terraform state rm / workspace delete',
      examples: ['terraform state rm aws_instance.web', 'terraform workspace delete -force staging', 'tofu state push -force old.tfstate', 'terraform force-unlock -force 1234'],
      safeExamples: ['terraform state list', 'terraform state show aws_instance.web', 'terraform workspace list', 'terraform state rm -dry-run aws_instance.web'],
    },
  ],
}
