/**
 * The glossary: the words of Kubernetes networking the course uses, in both languages. Each term's
 * `aliases` are the spellings lesson text is searched for (glossary-links.ts links the first one);
 * a lower-case alias also matches with a capital first letter, and a Latin one in the plural.
 */

export interface Localized {
  en: string
  'zh-CN': string
}

export interface GlossaryTerm {
  /** Kebab-case; the term's anchor in the glossary. */
  id: string
  term: Localized
  definition: Localized
  /** A command that shows the thing on a node or in a pod, as typed there. */
  command?: string
  aliases: readonly string[]
}

export const glossary: readonly GlossaryTerm[] = [
  {
    id: 'network-namespace',
    term: { en: 'Network namespace (netns)', 'zh-CN': '网络命名空间（netns）' },
    definition: {
      en: "A separate copy of the kernel's network stack: its own interfaces, addresses, routes, neighbour table and netfilter rules. Each pod has one, shared by all of its containers; the node's own stack is the root namespace.",
      'zh-CN':
        '内核网络栈的一份独立副本：有自己的网卡、地址、路由、邻居表和 netfilter 规则。每个 Pod 有一个，由它的所有容器共用；节点自己的网络栈是根命名空间。'
    },
    aliases: ['network namespace', 'netns', '网络命名空间']
  },
  {
    id: 'pause-container',
    term: { en: 'Pause container (pod sandbox)', 'zh-CN': 'pause 容器（Pod 沙箱）' },
    definition: {
      en: "The first container of every pod. It does nothing but sleep, holding the pod's namespaces open so that the app containers can join them and restart without the pod losing its network. The container runtime creates it, then asks the CNI plugin to wire up its network namespace.",
      'zh-CN':
        '每个 Pod 的第一个容器。它什么也不做，只是休眠，让 Pod 的命名空间一直存在：应用容器加入这些命名空间，重启时 Pod 的网络也不会丢。容器运行时先创建它，再请 CNI 插件为它的网络命名空间接好网络。'
    },
    aliases: ['pause container', 'pod sandbox', 'pause 容器', '沙箱']
  },
  {
    id: 'veth',
    term: { en: 'veth pair', 'zh-CN': 'veth 对' },
    definition: {
      en: "A virtual Ethernet cable: two linked interfaces, where a frame sent into one end comes out of the other. The CNI plugin makes one pair per pod, moves one end into the pod's network namespace as eth0 and leaves the other end on the node, where flannel plugs it into the cni0 bridge.",
      'zh-CN':
        '一根虚拟网线：两个相连的网卡，从一端发进去的帧会从另一端出来。CNI 插件为每个 Pod 建一对，把一端移进 Pod 的网络命名空间并命名为 eth0，另一端留在节点上，由 flannel 接到 cni0 网桥上。'
    },
    command: 'ip link show',
    aliases: ['veth pair', 'veth']
  },
  {
    id: 'bridge',
    term: { en: 'Linux bridge (cni0)', 'zh-CN': 'Linux 网桥（cni0）' },
    definition: {
      en: "A software Ethernet switch in the kernel. It learns which MAC address is behind which of its ports, forwards each frame by its destination MAC and floods frames for unknown MACs to every port. flannel's cni0 is a bridge with the node's ends of the pods' veth pairs as ports; it also holds the pods' gateway address, so traffic leaving the node's pod subnet is routed by the node.",
      'zh-CN':
        '内核里的软件以太网交换机。它学习每个 MAC 地址在哪个端口后面，按帧的目的 MAC 转发，遇到不认识的 MAC 就向所有端口泛洪。flannel 的 cni0 就是一个网桥，端口是各个 Pod 的 veth 对留在节点上的那一端；它还持有 Pod 的网关地址，所以离开本节点 Pod 网段的流量由节点来路由。'
    },
    command: 'bridge link show',
    aliases: ['Linux bridge', 'bridge', '网桥']
  },
  {
    id: 'fdb',
    term: { en: 'FDB (forwarding database)', 'zh-CN': 'FDB（转发数据库）' },
    definition: {
      en: "The table of MAC addresses a bridge or a VXLAN device looks up to decide where a frame goes. A bridge fills its FDB by learning the source MAC of each frame, and forgets entries it has not seen for 300 seconds. On a VXLAN device the entries map a remote VTEP's MAC to that node's IP; flannel writes one permanent entry per node.",
      'zh-CN':
        '网桥或 VXLAN 设备决定把帧送往哪里时查的 MAC 地址表。网桥从每个帧的源 MAC 学习来填充 FDB，表项 300 秒没再见到就会被忘掉。在 VXLAN 设备上，表项把远端 VTEP 的 MAC 对应到那个节点的 IP；flannel 为每个节点写一条永久表项。'
    },
    command: 'bridge fdb show',
    aliases: ['forwarding database', 'FDB', '转发数据库']
  },
  {
    id: 'arp',
    term: { en: 'ARP and the neighbour table', 'zh-CN': 'ARP 与邻居表' },
    definition: {
      en: "The Address Resolution Protocol finds the MAC address that belongs to an IPv4 address on the same link: a broadcast request, a unicast reply. The kernel keeps the answers in its neighbour table. Before a pod can send to its gateway, it must ARP for cni0's MAC; flannel fills the entries for the remote VTEPs itself, so flannel.1 never sends ARP.",
      'zh-CN':
        '地址解析协议（ARP）在同一链路上找出某个 IPv4 地址对应的 MAC 地址：广播请求，单播应答。内核把得到的结果存在邻居表里。Pod 要发给网关之前，必须先用 ARP 问到 cni0 的 MAC；远端 VTEP 的表项由 flannel 亲自写好，所以 flannel.1 从不发 ARP。'
    },
    command: 'ip neigh show',
    aliases: ['neighbour table', 'ARP', '邻居表']
  },
  {
    id: 'mtu',
    term: { en: 'MTU (maximum transmission unit)', 'zh-CN': 'MTU（最大传输单元）' },
    definition: {
      en: 'The largest IP packet a link carries in one frame. A bigger packet is fragmented unless it has the Don\'t Fragment bit set: then a router on the way drops it with an ICMP "fragmentation needed" message, and the sender\'s own kernel refuses to send it at all. Encapsulation eats into it: VXLAN adds 50 bytes, so on an underlay with MTU 1500 flannel gives pods an MTU of 1450.',
      'zh-CN':
        '一条链路用一个帧能承载的最大 IP 报文。更大的报文会被分片，除非它带着“不分片”（DF）标志：这时途中的路由器会丢弃它并回一个 ICMP“需要分片”消息，而发送方自己的内核干脆拒绝发送。封装会占用 MTU：VXLAN 多出 50 字节，所以底层网络 MTU 为 1500 时，flannel 给 Pod 的 MTU 是 1450。'
    },
    command: 'ip link show',
    aliases: ['MTU']
  },
  {
    id: 'podcidr',
    term: { en: 'podCIDR (pod subnet)', 'zh-CN': 'podCIDR（Pod 网段）' },
    definition: {
      en: "The block of pod addresses assigned to one node, such as 10.244.1.0/24, carved out of the cluster's pod network (10.244.0.0/16 here). It is recorded in the Node object's spec.podCIDR; flannel reads it and the host-local IPAM plugin hands out pod IPs from it, so every node can route another node's whole pod subnet in one route.",
      'zh-CN':
        '分配给单个节点的 Pod 地址块，例如 10.244.1.0/24，从集群的 Pod 网络（这里是 10.244.0.0/16）中划出。它记录在 Node 对象的 spec.podCIDR 里；flannel 读取它，host-local IPAM 插件从中为 Pod 分配 IP，于是每个节点用一条路由就能到达另一个节点的整个 Pod 网段。'
    },
    command: 'kubectl get nodes -o wide',
    aliases: ['podCIDR', 'pod CIDR', 'pod subnet', 'Pod 网段']
  },
  {
    id: 'cni',
    term: { en: 'CNI (Container Network Interface)', 'zh-CN': 'CNI（容器网络接口）' },
    definition: {
      en: "The specification for how a container runtime asks plugins to connect a pod: the runtime runs a plugin binary with ADD when a pod's sandbox starts and DEL when it goes away. flannel's plugin delegates to the bridge plugin, which creates cni0 and the pod's veth pair, and to host-local, which picks the pod's IP.",
      'zh-CN':
        '规定容器运行时如何请插件为 Pod 接入网络的规范：Pod 沙箱启动时，运行时以 ADD 调用插件程序，沙箱销毁时以 DEL 调用。flannel 的插件再委托给 bridge 插件（创建 cni0 和 Pod 的 veth 对）和 host-local 插件（为 Pod 挑选 IP）。'
    },
    aliases: ['CNI']
  },
  {
    id: 'flannel',
    term: { en: 'flannel', 'zh-CN': 'flannel' },
    definition: {
      en: 'A simple network add-on that gives every node a pod subnet and makes the subnets reachable from each other. Its agent, flanneld, runs on every node, watches Node objects through the API server and programs routes, neighbour and FDB entries; its default backend is VXLAN, and host-gw routes without a tunnel when all nodes share one L2 network.',
      'zh-CN':
        '一个简单的网络插件：给每个节点一个 Pod 网段，并让这些网段彼此可达。它的代理 flanneld 运行在每个节点上，通过 API Server 监视 Node 对象，写入路由、邻居表项和 FDB 表项；默认后端是 VXLAN，而 host-gw 后端在所有节点处于同一个二层网络时不用隧道、直接路由。'
    },
    aliases: ['flanneld', 'flannel']
  },
  {
    id: 'vxlan',
    term: { en: 'VXLAN', 'zh-CN': 'VXLAN' },
    definition: {
      en: 'Virtual eXtensible LAN: Ethernet frames carried inside UDP datagrams between hosts, so pods on different nodes can talk across an underlay that knows nothing of pod addresses. Each frame grows by 50 bytes (inner Ethernet 14, VXLAN 8, UDP 8, outer IPv4 20). flannel uses VNI 1 and UDP port 8472; the IANA port is 4789.',
      'zh-CN':
        '虚拟可扩展局域网：把以太网帧装进 UDP 数据报在主机之间传送，让不同节点上的 Pod 能穿过一个对 Pod 地址一无所知的底层网络互相通信。每个帧多出 50 字节（内层以太网头 14、VXLAN 8、UDP 8、外层 IPv4 20）。flannel 使用 VNI 1 和 UDP 端口 8472；IANA 分配的端口是 4789。'
    },
    aliases: ['VXLAN']
  },
  {
    id: 'vtep',
    term: { en: 'VTEP (VXLAN tunnel endpoint)', 'zh-CN': 'VTEP（VXLAN 隧道端点）' },
    definition: {
      en: "The device that wraps frames into VXLAN and unwraps them; flannel's on every node is flannel.1. To send, it looks the destination MAC up in its FDB, which names the remote node's IP, and sends the UDP datagram there from the node's own address.",
      'zh-CN':
        '负责把帧封装进 VXLAN、再把它解封装的设备；flannel 在每个节点上的 VTEP 是 flannel.1。发送时它用目的 MAC 查自己的 FDB，得到远端节点的 IP，再从本节点的地址把 UDP 数据报发过去。'
    },
    command: 'ip -d link show flannel.1',
    aliases: ['VXLAN tunnel endpoint', 'tunnel endpoint', 'VTEP', '隧道端点']
  },
  {
    id: 'underlay',
    term: { en: 'Underlay and overlay', 'zh-CN': '底层网络与叠加网络' },
    definition: {
      en: "The underlay is the real network between the nodes, with the nodes' own addresses (192.168.56.0/24 in these labs). The overlay is the pod network built on top of it: pod packets cross the underlay inside tunnels such as VXLAN, or as plain routed packets with host-gw.",
      'zh-CN':
        '底层网络是节点之间真实的网络，使用节点自己的地址（本课程实验中是 192.168.56.0/24）。叠加网络是建在它之上的 Pod 网络：Pod 的报文要么装在 VXLAN 这类隧道里穿过底层网络，要么像 host-gw 那样作为普通报文被路由过去。'
    },
    aliases: ['underlay', 'overlay', '底层网络', '叠加网络']
  },
  {
    id: 'service',
    term: { en: 'Service', 'zh-CN': 'Service' },
    definition: {
      en: "A Kubernetes object that gives a changing set of pods one stable address and port. Its selector picks the pods; its ports map the Service port to the pods' targetPort. A Service is not a process or a device: kube-proxy turns it into packet-rewriting rules on every node.",
      'zh-CN':
        'Kubernetes 对象，为一组不断变化的 Pod 提供一个稳定的地址和端口。它的 selector 选出 Pod；它的端口把 Service 端口映射到 Pod 的 targetPort。Service 既不是进程也不是设备：kube-proxy 把它变成每个节点上改写报文的规则。'
    },
    aliases: ['Service']
  },
  {
    id: 'clusterip',
    term: { en: 'ClusterIP', 'zh-CN': 'ClusterIP' },
    definition: {
      en: "A Service's virtual IP, allocated from the service CIDR (10.96.0.0/12 by default) and stable for the Service's life. No interface holds it: in iptables mode it exists only as rules that DNAT TCP, UDP and SCTP packets sent to its ports to one of the Service's endpoints, which is why ping to a ClusterIP gets no answer in that mode.",
      'zh-CN':
        'Service 的虚拟 IP，从 Service 网段（默认 10.96.0.0/12）中分配，在 Service 存在期间保持不变。没有任何网卡持有它：在 iptables 模式下，它只以规则的形式存在，这些规则把发往它各个端口的 TCP、UDP 和 SCTP 报文 DNAT 到 Service 的某个端点，所以在这种模式下 ping ClusterIP 没有回应。'
    },
    aliases: ['ClusterIP']
  },
  {
    id: 'nodeport',
    term: { en: 'NodePort', 'zh-CN': 'NodePort' },
    definition: {
      en: "A Service type that also opens one port (30000–32767 by default) on every node's addresses. kube-proxy DNATs traffic arriving there to an endpoint, which may be on another node; to make the reply come back the same way, that traffic is also masqueraded, so the pod sees the node's address instead of the client's.",
      'zh-CN':
        '一种 Service 类型，它还会在每个节点的地址上开放一个端口（默认 30000–32767）。kube-proxy 把到达这个端口的流量 DNAT 到某个端点，而端点可能在另一个节点上；为了让应答按原路返回，这些流量还会被伪装（masquerade），所以 Pod 看到的是节点的地址而不是客户端的地址。'
    },
    aliases: ['NodePort']
  },
  {
    id: 'external-traffic-policy',
    term: { en: 'externalTrafficPolicy', 'zh-CN': 'externalTrafficPolicy' },
    definition: {
      en: "How a NodePort or LoadBalancer Service treats traffic from outside the cluster. Cluster (the default) sends it to any endpoint and masquerades it. Local sends it only to endpoints on the node it arrived at and keeps the client's source address, but a node without such an endpoint drops it.",
      'zh-CN':
        'NodePort 或 LoadBalancer 类型的 Service 如何处理来自集群外的流量。Cluster（默认）把它发给任意端点并做伪装。Local 只把它发给到达节点上的端点，保留客户端的源地址；但节点上没有这样的端点时，流量会被丢弃。'
    },
    aliases: ['externalTrafficPolicy']
  },
  {
    id: 'endpoints',
    term: { en: 'Endpoints and EndpointSlices', 'zh-CN': '端点（Endpoints 与 EndpointSlice）' },
    definition: {
      en: "The list of pod IP and port pairs a Service currently sends traffic to. The EndpointSlice controller keeps it up to date from the Service's selector and the pods' readiness; kube-proxy watches EndpointSlices and rewrites its rules when they change. A Service with no endpoints rejects connections.",
      'zh-CN':
        'Service 当前转发流量的目标列表，由 Pod IP 和端口组成。EndpointSlice 控制器根据 Service 的 selector 和 Pod 的就绪状态不断更新它；kube-proxy 监视 EndpointSlice，一有变化就重写规则。没有端点的 Service 会拒绝连接。'
    },
    command: 'kubectl get endpointslices',
    aliases: ['EndpointSlice', 'Endpoints', 'endpoint', '端点']
  },
  {
    id: 'kube-proxy',
    term: { en: 'kube-proxy', 'zh-CN': 'kube-proxy' },
    definition: {
      en: 'The agent on every node that implements Services. It does not carry traffic itself: it watches Services and EndpointSlices and writes kernel rules that rewrite packets, in iptables mode (the default), IPVS mode or nftables mode.',
      'zh-CN':
        '每个节点上实现 Service 的代理。它自己并不转发流量：它监视 Service 和 EndpointSlice，写下改写报文的内核规则，可以工作在 iptables 模式（默认）、IPVS 模式或 nftables 模式。'
    },
    command: 'iptables-save -t nat',
    aliases: ['kube-proxy']
  },
  {
    id: 'netfilter',
    term: { en: 'netfilter and iptables', 'zh-CN': 'netfilter 与 iptables' },
    definition: {
      en: "netfilter is the kernel's packet-filtering framework: hooks on a packet's path (PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING) where rules can accept, drop, reject or rewrite it. iptables writes those rules as tables (nat, filter) of chains; nftables is its successor.",
      'zh-CN':
        'netfilter 是内核的报文过滤框架：在报文路径上设有钩子（PREROUTING、INPUT、FORWARD、OUTPUT、POSTROUTING），规则可以在这些地方接受、丢弃、拒绝或改写报文。iptables 把这些规则组织成由链组成的表（nat、filter）；nftables 是它的继任者。'
    },
    command: 'iptables-save',
    aliases: ['netfilter', 'iptables', 'nftables']
  },
  {
    id: 'dnat',
    term: { en: 'DNAT (destination NAT)', 'zh-CN': 'DNAT（目的地址转换）' },
    definition: {
      en: "Rewriting a packet's destination address and port. kube-proxy DNATs the first packet of a connection to a Service (its ClusterIP or NodePort) to one endpoint pod, in PREROUTING for packets from pods and in OUTPUT for the node's own; conntrack then rewrites the rest of the connection the same way and undoes it on replies.",
      'zh-CN':
        '改写报文的目的地址和端口。kube-proxy 把发往 Service（ClusterIP 或 NodePort）的连接的第一个报文 DNAT 到某个端点 Pod：来自 Pod 的报文在 PREROUTING 里改写，节点自己发出的在 OUTPUT 里改写；之后 conntrack 以同样的方式改写这个连接的其余报文，并在应答时还原。'
    },
    aliases: ['DNAT', '目的地址转换']
  },
  {
    id: 'snat',
    term: { en: 'SNAT and masquerade', 'zh-CN': 'SNAT 与伪装（masquerade）' },
    definition: {
      en: "Rewriting a packet's source address (and port if needed), in POSTROUTING. MASQUERADE is SNAT to the address of the interface the packet leaves by. kube-proxy masquerades traffic it marked with KUBE-MARK-MASQ, such as NodePort traffic from outside and a pod reaching itself through its Service, so that replies return through the node that did the DNAT.",
      'zh-CN':
        '在 POSTROUTING 中改写报文的源地址（必要时也改源端口）。MASQUERADE 是 SNAT 的一种，改成报文离开时所走网卡的地址。kube-proxy 对用 KUBE-MARK-MASQ 打了标记的流量做伪装，例如来自集群外的 NodePort 流量，以及 Pod 通过自己的 Service 访问自己，这样应答才会经过做 DNAT 的那个节点返回。'
    },
    aliases: ['masquerade', 'MASQUERADE', 'SNAT', '源地址转换', '伪装']
  },
  {
    id: 'conntrack',
    term: { en: 'conntrack (connection tracking)', 'zh-CN': 'conntrack（连接跟踪）' },
    definition: {
      en: "The kernel's table of connections it has seen, each entry holding the original direction and the reply it expects. NAT rules run only for a connection's first packet; conntrack applies the same rewrite to every later packet and reverses it on replies (un-DNAT, un-SNAT). That is why a reply must pass back through the node that did the NAT.",
      'zh-CN':
        '内核记录它见过的连接的表，每个表项包含原方向和它预期的应答方向。NAT 规则只在连接的第一个报文上执行；之后的报文由 conntrack 做同样的改写，应答报文则反向还原（un-DNAT、un-SNAT）。所以应答必须经过做了 NAT 的那个节点返回。'
    },
    command: 'conntrack -L',
    aliases: ['connection tracking', 'conntrack', '连接跟踪']
  },
  {
    id: 'br-netfilter',
    term: { en: 'br_netfilter', 'zh-CN': 'br_netfilter' },
    definition: {
      en: 'A kernel module that passes frames crossing a Linux bridge through the IPv4 netfilter hooks, when the sysctl net.bridge.bridge-nf-call-iptables is 1. kube-proxy needs it: without it, traffic between two pods of the same bridge skips the Service rules and conntrack, and replies from a same-node backend are never un-DNATed.',
      'zh-CN':
        '一个内核模块：当 sysctl net.bridge.bridge-nf-call-iptables 为 1 时，它让经过 Linux 网桥的帧也走一遍 IPv4 的 netfilter 钩子。kube-proxy 离不开它：没有它，同一网桥上两个 Pod 之间的流量会绕过 Service 规则和 conntrack，同节点后端的应答也就不会被 un-DNAT。'
    },
    command: 'sysctl net.bridge.bridge-nf-call-iptables',
    aliases: ['br_netfilter', 'bridge-nf-call-iptables']
  },
  {
    id: 'hairpin',
    term: { en: 'Hairpin mode', 'zh-CN': 'hairpin 模式（发夹模式）' },
    definition: {
      en: 'A bridge port setting that lets the bridge send a frame back out of the port it arrived on. A bridge normally never does; a pod that reaches itself through its own Service needs it, because after the DNAT its packet must go back into its own veth. The CNI bridge plugin turns it on for every pod.',
      'zh-CN':
        '网桥端口的一项设置，允许网桥把帧从它进来的那个端口再发回去。网桥平时从不这样做；但 Pod 通过自己的 Service 访问自己时需要它，因为 DNAT 之后报文必须回到它自己的 veth。CNI 的 bridge 插件为每个 Pod 打开它。'
    },
    command: 'bridge -d link show',
    aliases: ['hairpin', '发夹']
  },
  {
    id: 'ipvs',
    term: { en: 'IPVS', 'zh-CN': 'IPVS' },
    definition: {
      en: "IP Virtual Server, the kernel's layer-4 load balancer. In IPVS mode kube-proxy puts every ClusterIP on a dummy interface, kube-ipvs0, and creates a virtual server per Service port with the endpoints as real servers, instead of one iptables chain per Service.",
      'zh-CN':
        'IP 虚拟服务器，内核的四层负载均衡器。在 IPVS 模式下，kube-proxy 把每个 ClusterIP 放到一个 dummy 网卡 kube-ipvs0 上，并为每个 Service 端口创建一个虚拟服务，以端点作为真实服务器，而不是像 iptables 模式那样每个 Service 一条链。'
    },
    command: 'ipvsadm -Ln',
    aliases: ['IPVS']
  },
  {
    id: 'ttl',
    term: { en: 'TTL (time to live)', 'zh-CN': 'TTL（生存时间）' },
    definition: {
      en: 'A counter in every IPv4 header that each router decrements by one; at zero the packet is dropped with an ICMP time-exceeded message. Counting TTL shows how many times a packet was routed: a bridge does not decrement it, a node that routes does.',
      'zh-CN':
        '每个 IPv4 报文头里都有的计数器，每经过一个路由器减一；减到零时报文被丢弃，并回一个 ICMP“超时”消息。数一数 TTL 就知道报文被路由了几次：网桥不会减它，做路由的节点会减。'
    },
    aliases: ['TTL']
  }
]
