//! The recordings library pages.

use crate::admin::text::texts;

texts! {
    /// Recordings pages.
    R {
        Recordings => "Recordings", "録画";
        Back => "← Recordings", "← 録画";
        Off => "Recording is turned off on this server (", "このサーバーでは録画が無効になっています（";
        OffEnd => ").", "）。";
        Room => "Room", "ルーム";
        Filter => "Filter", "絞り込む";
        NoRecordings => "No recordings yet. Start one with LiveKit's Egress API (StartParticipantEgress, StartTrackEgress); see docs/broadcast.md.",
            "録画はまだありません。LiveKit の Egress API（StartParticipantEgress、StartTrackEgress）で開始できます。docs/broadcast.md を参照してください。";
        Started => "Started", "開始日時";
        Recorded => "Recorded", "録画対象";
        Length => "Length", "長さ";
        Size => "Size", "サイズ";
        Format => "Format", "形式";
        Status => "Status", "状態";
        Play => "Play", "再生";
        Download => "Download", "ダウンロード";
        Title => "Recording {}", "録画 {}";
        File => "File", "ファイル";
        Egress => "Egress", "Egress";
        LinkValid => " (link valid for {} hours)", "（リンクの有効期限は {} 時間）";
        ConfirmDelete => "Delete this recording and its files? This cannot be undone.", "この録画とファイルを削除しますか？元に戻せません。";
        DeleteRecording => "Delete recording", "録画を削除";
    }
}
