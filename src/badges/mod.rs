//! Badges: the badge code as a QR code — SVG for pages, PNG for emails (inline image) — and the
//! printable badge page. Door staff scan the QR; it holds only the badge code.

use qrcode::{Color, EcLevel, QrCode};

/// Pixels per QR module in the PNG, and the quiet zone in modules.
const SCALE: usize = 8;
const QUIET: usize = 4;

fn code(text: &str) -> Option<QrCode> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()
}

/// The QR code as an SVG element (for pages).
pub fn qr_svg(text: &str) -> String {
    code(text)
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build()
        })
        .unwrap_or_default()
}

/// The QR code as a black-on-white PNG (for emails).
pub fn qr_png(text: &str) -> Vec<u8> {
    let Some(code) = code(text) else {
        return Vec::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            let (mx, my) = (i % width + QUIET, i / width + QUIET);
            for dy in 0..SCALE {
                let row = (my * SCALE + dy) * side;
                pixels[row + mx * SCALE..row + (mx + 1) * SCALE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side as u32, side as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let written = encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&pixels));
        if written.is_err() {
            return Vec::new();
        }
    }
    out
}

/// A random badge code: 16 characters of an unambiguous alphabet (80 bits), grouped for
/// reading aloud at the door, e.g. `K7QM-2XHP-9TRW-C4ND`.
pub fn new_badge_code() -> String {
    use rand::RngCore;
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    // 80 bits → 16 symbols of 5 bits.
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | b as u128;
    }
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let idx = ((bits >> (5 * (15 - i))) & 31) as usize;
        out.push(ALPHABET[idx] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_codes_are_long_and_distinct() {
        let a = new_badge_code();
        assert_eq!(a.len(), 19);
        assert_ne!(a, new_badge_code());
    }

    #[test]
    fn the_png_decodes_back_to_the_code() {
        let code = new_badge_code();
        let png_bytes = qr_png(&code);
        let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = decoder.read_info().expect("png");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("frame");
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().expect("decode");
        assert_eq!(content, code);
        assert!(qr_svg(&code).contains("<svg"));
    }
}
