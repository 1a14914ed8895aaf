package io.mersdk.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class MachineProfileTest {
  @Test
  void namesTheModelAndTheKernelFeaturesOfTheFirstProcessor() {
    List<String> cpuinfo = List.of(
        "processor\t: 0",
        "model name\t: Intel(R) Xeon(R) Platinum 8488C",
        "flags\t\t: fpu avx2 fma avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8",
        "",
        "processor\t: 1",
        "model name\t: Intel(R) Xeon(R) Platinum 8488C");
    assertThat(MachineProfile.describeCpu(cpuinfo)).isEqualTo("Intel(R) Xeon(R) Platinum 8488C; AVX2 yes, FMA yes,"
        + " AVX-512 yes, VNNI yes (avx512_vnni), BF16 yes, AMX yes (amx_tile amx_int8 amx_bf16)");
  }

  @Test
  void saysNoForFeaturesTheFlagsLack() {
    List<String> cpuinfo = List.of("model name\t: AMD EPYC", "flags\t\t: fpu sse2 avx2 fma avx_vnni");
    assertThat(MachineProfile.describeCpu(cpuinfo))
        .isEqualTo("AMD EPYC; AVX2 yes, FMA yes, AVX-512 no, VNNI yes (avx_vnni), BF16 no, AMX no");
  }

  @Test
  void theStreamingReadSumsEveryElementOfItsSlice() throws InterruptedException {
    long[] buffer = MachineProfile.buffer(8 * 1003);
    assertThat(buffer).hasSize(1003);
    assertThat(MachineProfile.sum(buffer, 0, buffer.length)).isEqualTo(LongStream.range(0, 1003).sum());
    assertThat(MachineProfile.sum(buffer, 5, 12)).isEqualTo(LongStream.range(5, 12).sum());
    assertThat(MachineProfile.readBandwidth(buffer, 2, 3)).isPositive();
  }
}
