/** The papers sandi prints (the print pack, the quarterly report PDF): page footers and the signature block. */
export const kertas = {
  id: {
    'kertas.halaman': 'Halaman {x} dari {y}',
    'kertas.salinan': 'Salinan {n}/{of}',
    'kertas.dibuat': 'Dibuat {waktu}',
    'kertas.nip': 'NIP. {nip}',
    'kertas.nipKosong': 'NIP. ..............................',
    'kertas.namaKosong': '(..............................)',
  },
  en: {
    'kertas.halaman': 'Page {x} of {y}',
    'kertas.salinan': 'Copy {n}/{of}',
    'kertas.dibuat': 'Produced {waktu}',
    'kertas.nip': 'Employee no. {nip}',
    'kertas.nipKosong': 'Employee no. ..............................',
    'kertas.namaKosong': '(..............................)',
  },
};
