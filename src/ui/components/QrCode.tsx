/** A QR code of a text, drawn as SVG (for scanning a node's address with a phone on the LAN). */
import { useMemo } from 'react';
import qrcode from 'qrcode-generator';

/** Props of QrCode. */
export interface QrCodeProps {
  readonly text: string;
  readonly label: string;
  readonly size?: number;
}

/** The QR code. */
export function QrCode({ text, label, size = 160 }: QrCodeProps) {
  const path = useMemo(() => {
    const qr = qrcode(0, 'L');
    qr.addData(text);
    qr.make();
    const n = qr.getModuleCount();
    let d = '';
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.isDark(r, c)) d += `M${c + 2},${r + 2}h1v1h-1z`;
    return { d, n: n + 4 };
  }, [text]);
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${path.n} ${path.n}`} shapeRendering="crispEdges" className="qr">
      <rect width={path.n} height={path.n} fill="#fff" />
      <path d={path.d} fill="#000" />
    </svg>
  );
}
