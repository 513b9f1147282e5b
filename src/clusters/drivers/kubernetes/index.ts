/** The Kubernetes cluster driver (DESIGN.md decisions 4 and 6): real clusters through a kubeconfig. */
export { KubernetesDriver, kubernetesDriver, type KubernetesDriverOptions } from './kubernetes-driver.ts';
export { parseKubeconfig, type KubeconfigAuth, type ParsedKubeconfig } from './kubeconfig.ts';
