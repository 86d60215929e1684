"""Generated projects: PlatformIO builds, boards, the memory report."""
