#include <octagon/events/container_id.h>

#include <gtest/gtest.h>

#include <string>

namespace octagon::events {
namespace {

const std::string kId = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kPodId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kUid = "7d4b2a1c-3f0e-4c6b-9a8d-5e2f1b0c9d8e";

TEST(ContainerId, TestIdsAreWellFormed) {
  ASSERT_EQ(kId.size(), kContainerIdLength);
  ASSERT_EQ(kPodId.size(), kContainerIdLength);
}

TEST(ContainerId, Docker) {
  EXPECT_EQ(container_id_from_path("/docker/" + kId), kId);
  EXPECT_EQ(container_id_from_path("/system.slice/docker-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_cgroup(kId, "docker"), kId);
  EXPECT_EQ(container_id_from_cgroup("docker-" + kId + ".scope", "system.slice"), kId);
}

TEST(ContainerId, Containerd) {
  EXPECT_EQ(container_id_from_path("/k8s.io/" + kId), kId);
  EXPECT_EQ(container_id_from_path("/default/" + kId), kId);  // any ctr namespace
  EXPECT_EQ(container_id_from_cgroup(kId, "k8s.io"), kId);
}

TEST(ContainerId, CriCgroupfs) {
  EXPECT_EQ(container_id_from_path("/kubepods/besteffort/pod" + kUid + "/" + kId), kId);
  EXPECT_EQ(container_id_from_path("/kubepods/burstable/pod" + kUid + "/" + kId), kId);
  EXPECT_EQ(container_id_from_path("/kubepods/pod" + kUid + "/" + kId), kId);  // guaranteed
  EXPECT_EQ(container_id_from_cgroup(kId, "pod" + kUid), kId);
  EXPECT_EQ(container_id_from_path("/kubepods/besteffort/pod" + kUid), "");  // the pod itself
}

TEST(ContainerId, CriSystemd) {
  std::string uid = kUid;
  for (char& c : uid) c = c == '-' ? '_' : c;
  const std::string slice =
      "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + uid + ".slice";
  EXPECT_EQ(container_id_from_path(slice + "/cri-containerd-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_cgroup("cri-containerd-" + kId + ".scope",
                                     "kubepods-besteffort-pod" + uid + ".slice"),
            kId);
  EXPECT_EQ(container_id_from_path(slice), "");
}

TEST(ContainerId, CriO) {
  EXPECT_EQ(container_id_from_name("crio-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_name("crio-conmon-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_name("crio-" + kId), kId);  // cgroupfs driver
  EXPECT_EQ(container_id_from_path("/kubepods.slice/kubepods-burstable.slice/"
                                   "kubepods-burstable-podx.slice/crio-" +
                                   kId + ".scope"),
            kId);
}

TEST(ContainerId, Podman) {
  EXPECT_EQ(container_id_from_path("/libpod_parent/libpod-" + kId), kId);
  EXPECT_EQ(container_id_from_path("/machine.slice/libpod-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_path("/machine.slice/libpod-conmon-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_name("libpod-conmon-" + kId), kId);
  // podman kube play: the pod cgroup is itself named by a 64-hex id; the container is deeper.
  EXPECT_EQ(container_id_from_path("/libpod_parent/" + kPodId + "/libpod-" + kId), kId);
}

TEST(ContainerId, NestedCgroupsResolveToTheContainer) {
  // A container running systemd makes sub-cgroups below its own.
  EXPECT_EQ(container_id_from_path("/machine.slice/libpod-" + kId + ".scope/container"), kId);
  EXPECT_EQ(container_id_from_cgroup("init.scope", "docker-" + kId + ".scope"), kId);
  EXPECT_EQ(container_id_from_path("/docker/" + kId + "/"), kId);  // trailing slash
  // Docker in docker: the innermost container wins.
  EXPECT_EQ(container_id_from_path("/docker/" + kPodId + "/docker/" + kId), kId);
  // Leaf wins over parent.
  EXPECT_EQ(container_id_from_cgroup(kId, kPodId), kId);
}

TEST(ContainerId, RejectsLookalikes) {
  EXPECT_EQ(container_id_from_path(""), "");
  EXPECT_EQ(container_id_from_path("/"), "");
  EXPECT_EQ(container_id_from_path("/eco/runc-test1"), "");  // plain runc bundle
  EXPECT_EQ(container_id_from_path("/user.slice/user-1000.slice/session-3.scope"), "");
  EXPECT_EQ(container_id_from_path("/system.slice/docker.service"), "");
  EXPECT_EQ(container_id_from_cgroup("", ""), "");
  EXPECT_EQ(container_id_from_name(kId.substr(1)), "");  // 63 digits
  EXPECT_EQ(container_id_from_name(kId + "0"), "");      // 65 digits
  std::string upper = kId;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(container_id_from_name(upper), "");  // ids are lower case
  std::string not_hex = kId;
  not_hex[10] = 'g';
  EXPECT_EQ(container_id_from_name(not_hex), "");
  EXPECT_EQ(container_id_from_name("docker-" + not_hex + ".scope"), "");
  EXPECT_EQ(container_id_from_name("docker-" + kId.substr(1) + ".scope"), "");
  EXPECT_EQ(container_id_from_name("docker-" + kId + ".scopex"), "");
  EXPECT_EQ(container_id_from_name("docker-" + kId + ".slice"), "");
  EXPECT_EQ(container_id_from_name("rkt-" + kId + ".scope"), "");  // unknown prefix
  EXPECT_EQ(container_id_from_name(kId + ".scope"), "");
  EXPECT_EQ(container_id_from_name("pod" + kUid), "");
}

TEST(ContainerId, DockerFieldKeeps31Characters) {
  EXPECT_EQ(docker_field(kId), kId.substr(0, 31));
  EXPECT_EQ(docker_field(kId).size(), 31u);
  EXPECT_EQ(docker_field("abc"), "abc");
  EXPECT_EQ(docker_field(""), "");
}

}  // namespace
}  // namespace octagon::events
