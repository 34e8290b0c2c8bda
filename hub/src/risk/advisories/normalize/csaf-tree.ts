import type { IdentificationHelper } from '../product-names.js'

/**
 * CSAF product tree → flat list of product leaves with their vendor, product name and version
 * expression. Branches (vendor → product_name → product_version / product_version_range, at any
 * depth), `full_product_names` and `relationships` (the new id inherits the referenced product).
 */

export interface RawProduct {
  name: string
  product_id: string
  product_identification_helper?: IdentificationHelper
}
export interface RawBranch {
  category: string
  name: string
  branches?: RawBranch[]
  product?: RawProduct
}
export interface RawRelationship {
  category: string
  product_reference: string
  relates_to_product_reference: string
  full_product_name: RawProduct
}
export interface RawProductTree {
  branches?: RawBranch[]
  full_product_names?: RawProduct[]
  relationships?: RawRelationship[]
}

export interface TreeLeaf {
  productId: string
  fullName: string
  vendor: string
  product: string
  versionRaw: string
  versionKind: 'version' | 'range' | 'none'
  /** Set for relationship products: the platform the component runs on. */
  platform?: string
  /** `product_identification_helper` of the leaf (model numbers, SKUs, CPE, purl, serial numbers). */
  helper?: IdentificationHelper
}

interface Path {
  vendor: string
  product: string
  family: string
  versionRaw: string
  versionKind: TreeLeaf['versionKind']
}

const EMPTY: Path = { vendor: '', product: '', family: '', versionRaw: '', versionKind: 'none' }

function step(path: Path, b: RawBranch): Path {
  switch (b.category) {
    case 'vendor':
      return { ...path, vendor: b.name }
    case 'product_name':
      return { ...path, product: b.name }
    case 'product_family':
      return { ...path, family: path.family === '' ? b.name : `${path.family} ${b.name}` }
    case 'product_version':
      return { ...path, versionRaw: b.name, versionKind: 'version' }
    case 'product_version_range':
      return { ...path, versionRaw: b.name, versionKind: 'range' }
    default:
      return path
  }
}

/** Walks the tree iteratively (no recursion limit concerns; depth is bounded by the importer). */
export function flattenProductTree(tree: RawProductTree | undefined): TreeLeaf[] {
  const out: TreeLeaf[] = []
  if (tree === undefined) return out
  const stack: { b: RawBranch; path: Path }[] = [...(tree.branches ?? [])]
    .reverse()
    .map((b) => ({ b, path: EMPTY }))
  while (stack.length > 0) {
    const top = stack.pop()
    if (top === undefined) break
    const path = step(top.path, top.b)
    if (top.b.product !== undefined) {
      out.push({
        productId: top.b.product.product_id,
        fullName: top.b.product.name,
        vendor: path.vendor,
        product: path.product !== '' ? path.product : path.family,
        versionRaw: path.versionRaw,
        versionKind: path.versionKind,
        ...(top.b.product.product_identification_helper
          ? { helper: top.b.product.product_identification_helper }
          : {}),
      })
    }
    for (const child of [...(top.b.branches ?? [])].reverse()) stack.push({ b: child, path })
  }
  for (const p of tree.full_product_names ?? []) {
    out.push({
      productId: p.product_id,
      fullName: p.name,
      vendor: '',
      product: p.name,
      versionRaw: '',
      versionKind: 'none',
      ...(p.product_identification_helper ? { helper: p.product_identification_helper } : {}),
    })
  }
  const byId = new Map(out.map((l) => [l.productId, l]))
  for (const r of tree.relationships ?? []) {
    const component = byId.get(r.product_reference)
    const platform = byId.get(r.relates_to_product_reference)
    if (component === undefined) continue
    out.push({
      ...component,
      productId: r.full_product_name.product_id,
      fullName: r.full_product_name.name,
      platform: platform?.fullName ?? r.relates_to_product_reference,
    })
  }
  return out
}
