#!/usr/bin/env bash
# Open every hostile fixture (tests/fixtures/hostile/EXPECT.tsv) in the TUI inside tmux at 80x24,
# wait, capture the screen, quit (q, then y if it asks, then Ctrl-c as a fallback), and check
# that mlwb ended without a crash and gave the terminal back in cooked mode: the pane's
# `stty -g` after mlwb equals the one before, with icanon and echo on.
#
#   scripts/tui_hostile.sh [FIXTURE_NAME...]    one line per fixture: ok / FAIL (why)
#
# Environment: MLWB (binary, default target/release/mlwb), WAIT (seconds before the capture,
# default 1.5), SCREENS (a directory to keep the screens in: N.txt after WAIT, N.end.txt as mlwb
# left it). Exits 1 on any failure, 2 when it cannot run.
set -u

cd "$(dirname "$0")/.." || exit 2
MLWB=${MLWB:-target/release/mlwb}
WAIT=${WAIT:-1.5}
DIR=tests/fixtures/hostile

if [ ! -x "$MLWB" ]; then
    echo "no executable $MLWB: run cargo build --release first (or set MLWB)" >&2
    exit 2
fi
if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux is needed" >&2
    exit 2
fi
MLWB="$(cd "$(dirname "$MLWB")" && pwd)/$(basename "$MLWB")"
ROOT=$(pwd)

work=$(mktemp -d)
sock="mlwb-hostile-$$"
tm() { tmux -L "$sock" -f "$work/tmux.conf" "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -n "${SCREENS:-}" ] && mkdir -p "$SCREENS"

# Panes stay after their command ends, so what mlwb printed on its way out can be read.
echo "set -g remain-on-exit on" >"$work/tmux.conf"

# The pane runs this: the terminal's settings before and after mlwb, and mlwb's exit code.
cat >"$work/run.sh" <<'EOF'
#!/bin/sh
# run.sh MLWB FILE OUT
out=$3
stty -g >"$out/before" 2>/dev/null
MLWB_STORE="$out/store" "$1" "$2"
echo $? >"$out/rc.tmp"
stty -g >"$out/after" 2>/dev/null
stty -a >"$out/after_a" 2>/dev/null
mv "$out/rc.tmp" "$out/rc"
EOF

# wait_end OUT SECONDS: true once the pane's script has finished (polls every 0.1 s).
wait_end() {
    local i=0 n
    n=$(awk -v s="$2" 'BEGIN { printf "%d", s * 10 }')
    while [ "$i" -lt "$n" ]; do
        [ -f "$1/rc" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    [ -f "$1/rc" ]
}

# has_flag FILE FLAG: the `stty -a` output in FILE has FLAG on (not -FLAG).
has_flag() {
    tr ';\n' '  ' <"$1" | tr -s ' ' '\n' | grep -qx -- "$2"
}

fixtures=()
if [ "$#" -gt 0 ]; then
    fixtures=("$@")
else
    while IFS=$'\t' read -r file _; do
        case "$file" in '#'* | '') continue ;; esac
        fixtures+=("$file")
    done <"$DIR/EXPECT.tsv"
fi

failed=0
n=0
for file in "${fixtures[@]}"; do
    n=$((n + 1))
    path="$ROOT/$DIR/$file"
    out="$work/$n"
    mkdir -p "$out/store"
    session="h$n"
    if [ ! -e "$path" ]; then
        echo "FAIL $file (no such fixture)"
        failed=$((failed + 1))
        continue
    fi
    if ! tm new-session -d -s "$session" -x 80 -y 24 sh "$work/run.sh" "$MLWB" "$path" "$out"; then
        echo "FAIL $file (tmux could not start the pane)"
        failed=$((failed + 1))
        continue
    fi
    sleep "$WAIT"
    screen=$(tm capture-pane -p -t "$session" 2>/dev/null)
    [ -n "${SCREENS:-}" ] && printf '%s\n' "$screen" >"$SCREENS/$n.txt"
    how="exited by itself"
    if ! [ -f "$out/rc" ]; then
        how="q"
        tm send-keys -t "$session" q
        if ! wait_end "$out" 2; then
            if tm capture-pane -p -t "$session" 2>/dev/null | grep -q "Quit?"; then
                how="q y"
                tm send-keys -t "$session" y
                wait_end "$out" 2
            fi
        fi
        if ! [ -f "$out/rc" ]; then
            how="$how Ctrl-c"
            tm send-keys -t "$session" C-c
            wait_end "$out" 3
        fi
    fi
    if ! [ -f "$out/rc" ]; then
        # Kill what this pane started (its shell and that shell's children), then the pane.
        pane=$(tm display-message -p -t "$session" '#{pane_pid}' 2>/dev/null)
        if [ -n "$pane" ]; then
            pkill -KILL -P "$pane" 2>/dev/null
            kill -KILL "$pane" 2>/dev/null
        fi
        tm kill-session -t "$session" >/dev/null 2>&1
        echo "FAIL $file (still running after q, y and Ctrl-c: a hang)"
        failed=$((failed + 1))
        continue
    fi
    # The screen as mlwb left it: anything printed after leaving the alternate screen.
    last=$(tm capture-pane -p -t "$session" 2>/dev/null)
    [ -n "${SCREENS:-}" ] && printf '%s\n' "$last" >"$SCREENS/$n.end.txt"
    tm kill-session -t "$session" >/dev/null 2>&1
    rc=$(cat "$out/rc")
    why=""
    case "$rc" in
        0) ;;
        3) [ "$how" = "exited by itself" ] || why="exit 3 after $how" ;;
        *) why="exit $rc" ;;
    esac
    if printf '%s\n%s' "$screen" "$last" | grep -qE "panicked|stack backtrace|RUST_BACKTRACE"; then
        why="${why:+$why; }a panic on screen"
    fi
    if ! [ -s "$out/before" ] || ! [ -s "$out/after" ]; then
        why="${why:+$why; }no terminal settings recorded"
    elif ! cmp -s "$out/before" "$out/after"; then
        why="${why:+$why; }terminal settings changed"
    fi
    for flag in icanon echo; do
        if ! has_flag "$out/after_a" "$flag"; then
            why="${why:+$why; }-$flag left set (raw mode)"
        fi
    done
    if [ -n "$why" ]; then
        echo "FAIL $file ($why; quit: $how)"
        failed=$((failed + 1))
    elif [ "$how" = "exited by itself" ]; then
        echo "ok   $file (exited by itself, exit $rc)"
    else
        echo "ok   $file (quit: $how)"
    fi
done

echo "$((n - failed)) ok, $failed failed"
[ "$failed" -eq 0 ]
