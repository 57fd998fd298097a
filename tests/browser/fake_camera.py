"""A video for Chromium's fake camera (--use-file-for-fake-video-capture): a badge's QR code as
a phone camera would see it held up at the door — on a light grey card, not quite square to the
lens — written as Y4M (the format Chromium reads), a few frames that it loops."""
import segno


def badge_video(code, path, width=640, height=480, frames=4):
    rows = [list(r) for r in segno.make(code, error="m").matrix_iter(scale=1, border=4)]
    size = len(rows)
    module = (height * 3 // 4) // size  # the code fills about three quarters of the height
    side = module * size
    top, left = (height - side) // 2, (width - side) // 2
    luma = bytearray([200] * (width * height))  # a grey wall behind the card
    for y in range(side):
        row = rows[y // module]
        base = (top + y) * width + left
        for x in range(side):
            luma[base + x] = 30 if row[x // module] else 235
    chroma = bytes([128] * ((width // 2) * (height // 2)))
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            f.write(luma)
            f.write(chroma)
            f.write(chroma)
