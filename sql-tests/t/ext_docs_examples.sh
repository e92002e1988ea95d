# The docs run: every ```sql block of docs/reference.md, docs/getting-started.md and
# docs/cookbook.md, and their shell blocks marked <!-- docs-test: run -->, against the test
# emulator (programs 4711..4713, clock fixed at 2026-06-30 12:00:00; getting-started.md
# against one with --life, as it tells the user), each checked against the output written
# under it in the doc. The rules: sql-tests/docs/run_examples.py.
# One "ok - docs/FILE.md:LINE LANG" line per block.
source "$(dirname "$0")/../lib.sh"

if [ -z "${main_URL:-}" ]; then   # run alone, not by the runner: an emulator of our own
  emu_start_test main --programs 3 --messages 1000 --seed 1 || exit 1
  export SMS_API_BASE_URL=$main_URL SMS_API_USERNAME=$TEST_USER SMS_API_PASSWORD=$TEST_PASSWORD
  export SMS_EXPORT_NOW=$TEST_NOW HOME=$TMPDIR_SMS/home
  mkdir -p "$HOME"
fi
unset SMS_PROGRESS NETRC

work=$TMPDIR_SMS/docs
mkdir -p "$work"
ln -s "$BUILD" "$work/build"
docs=()
for f in reference cookbook; do
  if [ -f "$ROOT/docs/$f.md" ]; then docs+=("$ROOT/docs/$f.md"); else echo "not ok - docs/$f.md exists"; fi
done
"$PYTHON3" "$ROOT/sql-tests/docs/run_examples.py" "$work" "$EXT" "${docs[@]}"

# getting-started.md has the user start the emulator with --life (its defaults otherwise):
# what a newcomer meets is a program's life; reference.md and the cookbook show the test data.
emu_start_test life --life || exit 1
SMS_API_BASE_URL=$life_URL "$PYTHON3" "$ROOT/sql-tests/docs/run_examples.py" "$work" "$EXT" \
  "$ROOT/docs/getting-started.md"
