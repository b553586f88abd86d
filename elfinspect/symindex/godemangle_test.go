package symindex

import (
	"os/exec"
	"testing"
)

// GoDemangle must agree with binutils' c++filt, the reference.
func TestGoDemangleMatchesCxxFilt(t *testing.T) {
	if _, err := exec.LookPath("c++filt"); err != nil {
		t.Skip("c++filt not installed")
	}
	names := []string{"_Znwm", "_ZdlPvm", "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE9_M_createERmm",
		"_ZNSo3putEc", "_ZTVN10__cxxabiv117__class_type_infoE", "__gxx_personality_v0", "_Z7cpp_addii",
		"_ZN2ns5Widget4drawERKS0_i", "crc32", "_ZSt4cout"}
	got, want := GoDemangle(names), CxxFilt(names)
	for i := range names {
		if got[i] != want[i] {
			t.Errorf("%s: GoDemangle %q, c++filt %q", names[i], got[i], want[i])
		}
	}
}
